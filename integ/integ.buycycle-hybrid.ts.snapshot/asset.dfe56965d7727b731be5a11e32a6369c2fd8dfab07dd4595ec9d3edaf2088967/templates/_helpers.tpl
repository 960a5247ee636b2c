{{- define "web-tier.labels" -}}
app.kubernetes.io/name: {{ .Values.name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cdk-web-tiers
{{- end }}
{{- define "web-tier.selector" -}}
app.kubernetes.io/name: {{ .Values.name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "web-tier.probe" -}}
{{- if .probe.path }}
httpGet:
  path: {{ .probe.path }}
  port: http
{{- else }}
# No path: the process answers TCP, whatever its dependencies do.
tcpSocket:
  port: http
{{- end }}
periodSeconds: {{ .probe.periodSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
timeoutSeconds: {{ .probe.timeoutSeconds | default 5 }}
{{- end }}
{{- define "web-tier.behavior" -}}
# A spike doubles the pods every 30 s; shrinking waits 5 minutes of calm.
scaleUp:
  stabilizationWindowSeconds: 0
  policies:
    - type: Percent
      value: 100
      periodSeconds: 30
    - type: Pods
      value: 4
      periodSeconds: 30
  selectPolicy: Max
scaleDown:
  stabilizationWindowSeconds: 300
  policies:
    - type: Percent
      value: 20
      periodSeconds: 60
{{- end }}
{{/*
The autoscaler's floor: replicas.min, or the floor a pre-scale CronJob set on the live object
(annotation cdk-web-tiers.io/prescale-floor) when that is higher, so that a `helm upgrade` during
an event keeps it. `lookup` is empty under `helm template`.
*/}}
{{- define "web-tier.floor" -}}
{{- $floor := int .Values.replicas.min -}}
{{- $kind := ternary "ScaledObject" "HorizontalPodAutoscaler" (not (empty .Values.requestsScaling)) -}}
{{- $api := ternary "keda.sh/v1alpha1" "autoscaling/v2" (not (empty .Values.requestsScaling)) -}}
{{- $live := lookup $api $kind .Release.Namespace .Values.name -}}
{{- if and $live $live.metadata $live.metadata.annotations -}}
{{- $set := index $live.metadata.annotations "cdk-web-tiers.io/prescale-floor" -}}
{{- if $set -}}
{{- $floor = max $floor (int $set) | int -}}
{{- end -}}
{{- end -}}
{{- min $floor (int .Values.replicas.max) -}}
{{- end }}
