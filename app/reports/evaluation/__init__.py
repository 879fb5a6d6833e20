"""The evaluation round reports: the writer, the data it needs, the generated text."""
