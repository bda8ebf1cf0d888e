"""Training (培训与发展): sessions announced in the channel, answers, attendance, and career development goals."""
