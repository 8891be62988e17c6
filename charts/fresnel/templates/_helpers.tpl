{{/* The release's object names: the release name, cut to leave room for suffixes. */}}
{{- define "fresnel.name" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "fresnel.selectorLabels" -}}
app.kubernetes.io/name: fresnel
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fresnel.labels" -}}
{{ include "fresnel.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "fresnel.runNamespace" -}}
{{- default .Release.Namespace .Values.runNamespace -}}
{{- end -}}

{{- define "fresnel.secretName" -}}
{{- printf "%s-secrets" (include "fresnel.name" .) -}}
{{- end -}}

{{- define "fresnel.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/*
fresnel.roles: the Deployments of the mode, as YAML: a list of
{role, replicas, resources, leaderElect, webhook, controller}.
*/}}
{{- define "fresnel.roles" -}}
{{- $names := list "all" -}}
{{- if eq .Values.mode "split" -}}
{{- $names = list "webhook" "controller" -}}
{{- end -}}
{{- range $names }}
{{- $v := index $.Values . }}
- role: {{ . }}
  replicas: {{ $v.replicas }}
  resources: {{- toYaml $v.resources | nindent 4 }}
  webhook: {{ ne . "controller" }}
  controller: {{ ne . "webhook" }}
  leaderElect: {{ and (ne . "webhook") (or (eq . "controller") (gt (int $v.replicas) 1)) }}
{{- end }}
{{- end -}}

{{/*
fresnel.secretFiles: every secret file of every provider instance, as YAML:
a list of {provider, field, setting, path, name, key, value}. setting is the
key in fresnel.yaml; name/key say where the pod reads it from: the chart's
Secret (value given) or the Secret the user named (secretRef).
*/}}
{{- define "fresnel.secretFiles" -}}
{{- $chartSecret := include "fresnel.secretName" . -}}
{{- range $p := .Values.providers }}
{{- $fields := list (list "webhookSecret" "secret" "hmac" $p.webhookSecret) (list "token" "token" "token" $p.token) -}}
{{- with $p.app }}
{{- $fields = append $fields (list "app.privateKey" "app.privateKey" "app-private-key" .privateKey) -}}
{{- end }}
{{- range $f := $fields }}
{{- $src := index $f 3 }}
{{- if $src }}
{{- $file := printf "%s-%s-%s" $p.kind $p.name (index $f 2) }}
- provider: {{ printf "%s/%s" $p.kind $p.name | quote }}
  field: {{ index $f 0 | quote }}
  setting: {{ index $f 1 | quote }}
  path: {{ $file | quote }}
  {{- if $src.secretRef }}
  name: {{ $src.secretRef.name | quote }}
  key: {{ $src.secretRef.key | quote }}
  {{- else }}
  name: {{ $chartSecret | quote }}
  key: {{ $file | quote }}
  value: {{ $src.value | quote }}
  {{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* fresnel.settings: fresnel.yaml, from the values. */}}
{{- define "fresnel.settings" -}}
{{- $s := dict "namespace" (include "fresnel.runNamespace" .) -}}
{{- $prow := dict "config" "/etc/fresnel/prow/config.yaml" -}}
{{- if or .Values.prow.plugins .Values.prow.existingPlugins.name -}}
{{- $_ := set $prow "plugins" "/etc/fresnel/prow/plugins.yaml" -}}
{{- end -}}
{{- if or .Values.prow.jobConfig .Values.prow.existingJobConfig -}}
{{- $_ := set $prow "jobConfig" "/etc/fresnel/jobs" -}}
{{- end -}}
{{- $_ := set $s "prow" $prow -}}
{{- $_ = set $s "server" (dict "address" (printf ":%d" (int .Values.ports.http)) "maxBodyBytes" (int64 .Values.server.maxBodyBytes)) -}}
{{- $_ = set $s "kube" (deepCopy .Values.kube) -}}
{{- with .Values.report.targetURL }}{{ $_ = set $s "report" (dict "targetURL" .) }}{{ end -}}
{{- with .Values.inRepoConfig.repos }}{{ $_ = set $s "inRepoConfig" $.Values.inRepoConfig }}{{ end -}}
{{- with .Values.decoration.cloneImage }}{{ $_ = set $s "decoration" (dict "cloneImage" .) }}{{ end -}}
{{- $files := fromYamlArray (include "fresnel.secretFiles" .) -}}
{{- $providers := list -}}
{{- range $p := .Values.providers -}}
{{- $out := dict "kind" $p.kind "name" $p.name -}}
{{- range $k := list "url" "username" "botUser" "options" -}}
{{- with index $p $k }}{{ $_ := set $out $k . }}{{ end -}}
{{- end -}}
{{- if $p.insecure }}{{ $_ := set $out "insecure" true }}{{ end -}}
{{- with $p.app }}{{ $_ := set $out "app" (dict "id" (int64 .id)) }}{{ end -}}
{{- range $f := $files -}}
{{- if eq $f.provider (printf "%s/%s" $p.kind $p.name) -}}
{{- $file := dict "file" (printf "/etc/fresnel/secrets/%s" $f.path) -}}
{{- if eq $f.setting "app.privateKey" -}}
{{- $_ := set $out.app "privateKey" $file -}}
{{- else -}}
{{- $_ := set $out $f.setting $file -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $providers = append $providers $out -}}
{{- end -}}
{{- $_ = set $s "providers" $providers -}}
{{- toYaml (mustMergeOverwrite $s (deepCopy .Values.extraSettings)) -}}
{{- end -}}

{{/* fresnel.prowSources: the projected sources of /etc/fresnel/prow. */}}
{{- define "fresnel.prowSources" -}}
{{- $prow := .Values.prow -}}
{{- $name := printf "%s-prow" (include "fresnel.name" .) -}}
- configMap:
    name: {{ default $name $prow.existingConfig.name }}
    items:
    - {key: {{ ternary $prow.existingConfig.key "config.yaml" (ne $prow.existingConfig.name "") }}, path: config.yaml}
{{- if or $prow.plugins $prow.existingPlugins.name }}
- configMap:
    name: {{ default $name $prow.existingPlugins.name }}
    items:
    - {key: {{ ternary $prow.existingPlugins.key "plugins.yaml" (ne $prow.existingPlugins.name "") }}, path: plugins.yaml}
{{- end }}
{{- end -}}
