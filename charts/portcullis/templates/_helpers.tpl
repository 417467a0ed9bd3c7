{{/* Names, labels and the TLS mode shared by every template. */}}

{{- define "portcullis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name; kept short enough for "<fullname>-serving" and Secret names. */}}
{{- define "portcullis.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "portcullis.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "portcullis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portcullis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "portcullis.labels" -}}
helm.sh/chart: {{ include "portcullis.chart" . }}
{{ include "portcullis.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: portcullis
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "portcullis.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "portcullis.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "portcullis.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the webhook runs outside the cluster at webhook.url: no Deployment, Service or PDB. */}}
{{- define "portcullis.external" -}}
{{- if .Values.webhook.url }}true{{ end }}
{{- end }}

{{/* How the serving certificate is obtained: url | cert-manager | existing-secret | self-managed. */}}
{{- define "portcullis.tlsMode" -}}
{{- if .Values.webhook.url }}url
{{- else if .Values.certManager.enabled }}cert-manager
{{- else if .Values.tls.existingSecret }}existing-secret
{{- else }}self-managed
{{- end }}
{{- end }}

{{/* The Secret the pods mount their serving certificate from. */}}
{{- define "portcullis.tlsSecretName" -}}
{{- $mode := include "portcullis.tlsMode" . }}
{{- if eq $mode "existing-secret" }}
{{- .Values.tls.existingSecret }}
{{- else if eq $mode "self-managed" }}
{{- default (printf "%s-tls" (include "portcullis.fullname" .)) .Values.tls.selfManaged.secretName }}
{{- else }}
{{- printf "%s-tls" (include "portcullis.fullname" .) }}
{{- end }}
{{- end }}

{{/* The names the API server uses to reach the Service; the serving certificate must carry them. */}}
{{- define "portcullis.serviceDnsNames" -}}
{{- $svc := include "portcullis.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns .Values.clusterDomain) | toJson }}
{{- end }}

{{/* Refuses value combinations that would install a webhook nobody can reach. */}}
{{- define "portcullis.validate" -}}
{{- if and .Values.certManager.enabled (not .Values.certManager.skipCrdCheck) (not (.Capabilities.APIVersions.Has "cert-manager.io/v1")) }}
{{- fail "certManager.enabled needs cert-manager: this cluster does not serve cert-manager.io/v1 (install cert-manager and its CRDs first, or use the default self-managed TLS). With helm template, pass --api-versions cert-manager.io/v1 or set certManager.skipCrdCheck=true" }}
{{- end }}
{{- if and .Values.webhook.url (not .Values.webhook.caBundle) }}
{{- fail "webhook.url needs webhook.caBundle: the base64 PEM CA that signed the certificate served at that URL" }}
{{- end }}
{{- if and .Values.webhook.url (or .Values.certManager.enabled .Values.tls.existingSecret) }}
{{- fail "webhook.url runs the webhook outside the cluster: unset certManager.enabled and tls.existingSecret (its TLS comes from webhook.caBundle)" }}
{{- end }}
{{- if and .Values.certManager.enabled .Values.tls.existingSecret }}
{{- fail "choose one TLS mode: certManager.enabled or tls.existingSecret, not both" }}
{{- end }}
{{- if and .Values.tls.existingSecret (not .Values.tls.caBundle) }}
{{- fail "tls.existingSecret needs tls.caBundle: the base64 PEM CA(s) that signed the Secret's tls.crt" }}
{{- end }}
{{- if and .Values.valkey.enabled .Values.valkey.external.url }}
{{- fail "choose one Valkey: valkey.enabled (bundled) or valkey.external.url, not both" }}
{{- end }}
{{- if and .Values.valkey.enabled .Values.valkey.tls.caSecret }}
{{- fail "valkey.tls.caSecret is for valkey.external.url: the bundled Valkey serves no TLS" }}
{{- end }}
{{- if and .Values.valkey.external.url (hasPrefix "redis://" .Values.valkey.external.url) .Values.valkey.tls.caSecret }}
{{- fail "valkey.tls.caSecret needs a TLS URL (rediss://) in valkey.external.url" }}
{{- end }}
{{- /* preStop sleep, then the drain delay, then SHUTDOWN_GRACE_MS (10 s) for requests in flight. */}}
{{- $needed := add .Values.preStopSleepSeconds (include "portcullis.drainDelaySeconds" . | int) 10 }}
{{- if and (not .Values.webhook.url) (le (int .Values.terminationGracePeriodSeconds) (int $needed)) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds + server.drainDelay + 10 s for requests in flight (%d s)" (int .Values.terminationGracePeriodSeconds) (int $needed)) }}
{{- end }}
{{- end }}

{{/*
Self-managed TLS, computed once per render and shared by the Secret and both webhook configurations
(stored on the root context). On install it generates a CA and a serving certificate. On upgrade it reuses
the live Secret (lookup), so caBundle does not change, and re-issues the serving certificate with the same
CA when it is within renewBeforeDays of expiry. Without a cluster (helm template) lookup is empty and new
keys are generated on every render.
This is the bootstrap: from then on the webhook rotates the Secret itself (src/tls, docs/install.md#tls).
Secret contract (shared with src/tls/secret-layout.ts): ca.crt is the CA bundle published in caBundle, its
FIRST certificate is the signer whose key is ca.key; during a CA rollover ca.crt holds two CAs and, until
the serving certificate moves, ca-next.key is the key of the second (incoming) one; tls.crt/tls.key is the
serving pair; annotations (Unix seconds): portcullis.dev/serving-cert-not-after (the serving certificate's
expiry), and the webhook's portcullis.dev/serving-cert-issued-at and portcullis.dev/ca-bundle-published-at.
Keys and annotations not rendered here are left alone by helm upgrade (three-way merge).
*/}}
{{- define "portcullis.selfManagedTls" -}}
{{- if not (hasKey . "portcullisSelfManagedTls") }}
{{- $sm := .Values.tls.selfManaged }}
{{- $secretName := include "portcullis.tlsSecretName" . }}
{{- $live := lookup "v1" "Secret" .Release.Namespace $secretName }}
{{- $data := dict }}
{{- $notAfter := 0 }}
{{- if $live }}
{{- $data = default (dict) $live.data }}
{{- $notAfter = (index (default (dict) $live.metadata.annotations) "portcullis.dev/serving-cert-not-after") | default "0" | int64 }}
{{- end }}
{{- $now := now | unixEpoch | int64 }}
{{- $out := dict }}
{{- $ca := dict }}
{{- if and (index $data "ca.crt") (index $data "ca.key") }}
{{- $ca = buildCustomCert (index $data "ca.crt") (index $data "ca.key") }}
{{- $_ := set $out "caCrt" (index $data "ca.crt") }}
{{- $_ := set $out "caKey" (index $data "ca.key") }}
{{- else }}
{{- $ca = genCA (printf "%s-ca" (include "portcullis.fullname" .)) (int $sm.caValidityDays) }}
{{- $_ := set $out "caCrt" ($ca.Cert | b64enc) }}
{{- $_ := set $out "caKey" ($ca.Key | b64enc) }}
{{- $notAfter = 0 }}
{{- end }}
{{- $renewAt := sub $notAfter (mul (int64 $sm.renewBeforeDays) 86400) }}
{{- if and (index $data "tls.crt") (index $data "tls.key") (gt $renewAt $now) }}
{{- $_ := set $out "tlsCrt" (index $data "tls.crt") }}
{{- $_ := set $out "tlsKey" (index $data "tls.key") }}
{{- $_ := set $out "notAfter" $notAfter }}
{{- else }}
{{- $dnsNames := include "portcullis.serviceDnsNames" . | fromJsonArray }}
{{- $cert := genSignedCert (index $dnsNames 2) nil $dnsNames (int $sm.certValidityDays) $ca }}
{{- $_ := set $out "tlsCrt" ($cert.Cert | b64enc) }}
{{- $_ := set $out "tlsKey" ($cert.Key | b64enc) }}
{{- $_ := set $out "notAfter" (add $now (mul (int64 $sm.certValidityDays) 86400)) }}
{{- end }}
{{- $_ := set . "portcullisSelfManagedTls" $out }}
{{- end }}
{{- end }}

{{/* The base64 CA bundle for clientConfig.caBundle; empty under cert-manager (cainjector writes it). */}}
{{- define "portcullis.caBundle" -}}
{{- $mode := include "portcullis.tlsMode" . }}
{{- if eq $mode "url" }}
{{- .Values.webhook.caBundle }}
{{- else if eq $mode "existing-secret" }}
{{- .Values.tls.caBundle }}
{{- else if eq $mode "self-managed" }}
{{- include "portcullis.selfManagedTls" . }}
{{- .portcullisSelfManagedTls.caCrt }}
{{- end }}
{{- end }}

{{/* clientConfig of a webhook; path is /validate or /mutate. */}}
{{- define "portcullis.clientConfig" -}}
{{- $root := index . 0 }}
{{- $path := index . 1 }}
{{- if $root.Values.webhook.url }}
url: {{ printf "%s%s" (trimSuffix "/" $root.Values.webhook.url) $path | quote }}
{{- else }}
service:
  name: {{ include "portcullis.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  path: {{ $path }}
  port: 443
{{- end }}
{{- with include "portcullis.caBundle" $root }}
caBundle: {{ . }}
{{- end }}
{{- end }}

{{/* Namespaces no webhook ever sees: the release's own (so Portcullis can always start) and kube-system. */}}
{{- define "portcullis.namespaceSelector" -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values:
      {{- range (concat (list .Release.Namespace "kube-system") .Values.webhook.excludeNamespaces | uniq) }}
      - {{ . | quote }}
      {{- end }}
  {{- with .Values.webhook.namespaceSelectorExpressions }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{/* cert-manager annotation that makes cainjector fill caBundle from the serving Certificate. */}}
{{- define "portcullis.webhookAnnotations" -}}
{{- if eq (include "portcullis.tlsMode" .) "cert-manager" }}
annotations:
  cert-manager.io/inject-ca-from: {{ printf "%s/%s-serving" .Release.Namespace (include "portcullis.fullname" .) }}
{{- end }}
{{- end }}

{{/* --drain-delay in whole seconds, rounded up (for the termination grace period check). */}}
{{- define "portcullis.drainDelaySeconds" -}}
{{- $d := .Values.server.drainDelay }}
{{- if hasSuffix "ms" $d }}
{{- div (add (trimSuffix "ms" $d | int) 999) 1000 }}
{{- else }}
{{- trimSuffix "s" $d | int }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the webhook is given a Valkey: the bundled one or an external URL. */}}
{{- define "portcullis.valkey" -}}
{{- if or .Values.valkey.enabled .Values.valkey.external.url }}true{{ end }}
{{- end }}

{{/* The Valkey URL passed as --valkey-url. */}}
{{- define "portcullis.valkeyUrl" -}}
{{- if .Values.valkey.enabled }}
{{- printf "redis://%s-valkey.%s.svc.%s:6379" (include "portcullis.fullname" .) .Release.Namespace .Values.clusterDomain }}
{{- else }}
{{- .Values.valkey.external.url }}
{{- end }}
{{- end }}

{{/* The Secret and key holding the Valkey password, as "name/key"; empty when Valkey takes no password. */}}
{{- define "portcullis.valkeyPasswordRef" -}}
{{- if .Values.valkey.enabled }}
{{- printf "%s-valkey/password" (include "portcullis.fullname" .) }}
{{- else if .Values.valkey.external.existingSecret }}
{{- printf "%s/%s" .Values.valkey.external.existingSecret .Values.valkey.external.existingSecretPasswordKey }}
{{- end }}
{{- end }}

{{/*
A random secret value generated once: the live Secret's value when it exists (lookup, so upgrades keep it), else
a new one. Without a cluster (helm template) a new value is generated on every render. Arguments: root, Secret
name, key, length.
*/}}
{{- define "portcullis.persistentRandom" -}}
{{- $root := index . 0 }}
{{- $live := lookup "v1" "Secret" $root.Release.Namespace (index . 1) }}
{{- $value := "" }}
{{- if $live }}
{{- $value = index (default (dict) $live.data) (index . 2) | default "" }}
{{- end }}
{{- if $value }}
{{- $value }}
{{- else }}
{{- randAlphaNum (index . 3) | b64enc }}
{{- end }}
{{- end }}

{{/*
matchConditions of both webhooks (Kubernetes 1.28 and later; older API servers would reject the field): an UPDATE
that leaves `spec` unchanged never reaches the webhook. That covers finalizer removal and label or annotation
changes on a terminating pod, so pods can terminate while no webhook pod answers. An UPDATE that changes `spec`
(an image, a pod template, ephemeral containers) is still sent, whether or not the object is terminating.
*/}}
{{- define "portcullis.matchConditions" -}}
{{- if and .Values.webhook.matchConditions (semverCompare ">=1.28.0-0" .Capabilities.KubeVersion.Version) }}
matchConditions:
  - name: update-changes-spec
    expression: "request.operation != 'UPDATE' || !has(object.spec) || !has(oldObject.spec) || object.spec != oldObject.spec"
{{- end }}
{{- end }}

{{/* Selector labels of the bundled Valkey: a name of its own, so no webhook selector (Service, PDB) matches it. */}}
{{- define "portcullis.valkeySelectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-valkey" (include "portcullis.name" .) | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
One NetworkPolicy egress rule to ipBlocks on TCP ports, from a dict with "cidrs", "ports" and a "comment" line.
Renders nothing when cidrs is empty: an egress rule without `to` would allow every destination.
*/}}
{{- define "portcullis.networkPolicyCidrRule" -}}
{{- if .cidrs }}
# {{ .comment }}
- to:
    {{- range .cidrs }}
    - ipBlock:
        cidr: {{ . | quote }}
    {{- end }}
  ports:
    {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end }}
{{- end }}
