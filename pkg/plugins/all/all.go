// Package all registers every built-in plugin: one import per plugin.
package all

import (
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/approve"     // /approve, the approved label from OWNERS
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/assign"      // /assign, /unassign, /cc, /uncc
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/blunderbuss" // review requests from OWNERS, /auto-cc
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/cancel"      // /cancel
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/help"        // /help
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/hold"        // /hold, /unhold
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/label"       // /kind, /priority, /area, /triage, /sig, /label
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/lgtm"        // /lgtm
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/lifecycle"   // /lifecycle, /close, /reopen
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/override"    // /override
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/size"        // size/* labels
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/trigger"     // /test, /retest, /ok-to-test
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/welcome"     // greets first contributions
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/wip"         // draft and WIP titles
)
