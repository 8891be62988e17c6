{{- define "fresnel.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fresnel.labels" -}}
app.kubernetes.io/name: fresnel
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "fresnel.runNamespace" -}}
{{- default .Release.Namespace .Values.runNamespace -}}
{{- end -}}

{{- define "fresnel.secretName" -}}
{{- default (printf "%s-secrets" (include "fresnel.name" .)) .Values.existingSecret -}}
{{- end -}}

{{- define "fresnel.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}
