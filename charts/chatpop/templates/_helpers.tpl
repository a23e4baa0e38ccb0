{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "chatpop.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release-chart unless the release name already holds it. */}}
{{- define "chatpop.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "chatpop.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "chatpop.labels" -}}
helm.sh/chart: {{ include "chatpop.chart" . }}
{{ include "chatpop.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: chatpop
{{- end }}

{{- define "chatpop.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chatpop.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selects the server pods only (not the CronJob and hook pods): Service, PDB, spread. */}}
{{- define "chatpop.serverSelectorLabels" -}}
{{ include "chatpop.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "chatpop.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chatpop.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "chatpop.secretName" -}}
{{- default (include "chatpop.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "chatpop.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Environment shared by the server, the CronJobs and the hook Jobs. */}}
{{- define "chatpop.envFrom" -}}
- configMapRef:
    name: {{ include "chatpop.fullname" . }}
- secretRef:
    name: {{ include "chatpop.secretName" . }}
{{- end }}

{{/* Writable scratch space: the root filesystem is read-only. */}}
{{- define "chatpop.volumes" -}}
- name: data
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- end }}

{{- define "chatpop.volumeMounts" -}}
- name: data
  mountPath: /app/data
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Annotations that roll the pods when configuration changes. */}}
{{- define "chatpop.configChecksums" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.existingSecret }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/* Container fields shared by the CronJobs and hook Jobs (everything but name, args, resources). */}}
{{- define "chatpop.jobContainer" -}}
image: {{ include "chatpop.image" . | quote }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
envFrom:
  {{- include "chatpop.envFrom" . | nindent 2 }}
{{- with .Values.extraEnv }}
env:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
volumeMounts:
  {{- include "chatpop.volumeMounts" . | nindent 2 }}
{{- end }}

{{/*
A hook Job's phase (dict "ctx" . "phase" "pre-upgrade" "weight" "-5"): Helm's hook annotations, or,
in the kustomize rendering (Release.Service kustomize: k8s/jobs, applied by hand in phase order,
docs/deploy.md), the phase alone, which nothing acts on.
*/}}
{{- define "chatpop.hookAnnotations" -}}
{{- if eq .ctx.Release.Service "kustomize" -}}
chatpop.io/hook: {{ .phase }}
{{- else -}}
"helm.sh/hook": {{ .phase }}
"helm.sh/hook-weight": {{ .weight | quote }}
"helm.sh/hook-delete-policy": before-hook-creation
{{- end }}
{{- end }}

{{/* Pod fields shared by the CronJobs and hook Jobs. */}}
{{- define "chatpop.jobPod" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{ end -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
volumes:
  {{- include "chatpop.volumes" . | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
