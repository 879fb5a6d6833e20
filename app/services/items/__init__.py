"""Work items (工作事项): the list (manage), the link of log entries to them (links), their
progress and lights (progress), Excel import (excel) and what the 编办 reads of them (county)."""
