"""Daily work logs: writing, submitting, amending, attachments, templates, the published logs."""
