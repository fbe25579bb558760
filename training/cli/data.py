"""`triage data validate|import`: read any export through a mapping onto the ticket model."""
