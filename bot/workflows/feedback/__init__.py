"""The feedback talk (绩效反馈面谈) and its improvement plan (issue 18)."""
