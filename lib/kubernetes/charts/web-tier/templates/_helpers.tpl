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
httpGet:
  path: {{ .probe.path }}
  port: http
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
