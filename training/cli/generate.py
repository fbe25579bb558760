"""`triage data generate`: the embedded default, realistic sample helpdesk history."""
