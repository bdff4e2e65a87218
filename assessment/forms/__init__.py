"""Forms of the assessment app, split by noun (rubric, campaign, self_assessment).

Import from the submodules (`from assessment.forms.rubric import ...`); this package re-exports nothing so
importing one noun never pulls in the others."""
