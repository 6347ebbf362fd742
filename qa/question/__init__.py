"""Step 1 of a question: what it asks and where to look (outlets, periods, clauses, follow-ups)."""
