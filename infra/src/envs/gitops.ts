/** Where Argo CD reads the rendered manifests from, and where it runs. */
export const GITOPS = {
  /** The repository Argo CD watches; the runbook links of `alerts/` point at the same one. */
  repoURL: 'https://github.com/mlsched/mlsched.git',
  /** Every environment follows this branch; promotion happens in the release files on it. */
  targetRevision: 'main',
  /** Namespace of Argo CD on the management cluster. */
  argoCdNamespace: 'argocd',
  /** Output directory of synth, relative to the repository root. */
  distDir: 'dist',
} as const;
