"""履职审阅: the reviewer's queue, the derived review state of logs, assisted-review flags, reminders."""
