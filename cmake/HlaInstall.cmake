# Install/export rules (filled in by the embedding issue).
