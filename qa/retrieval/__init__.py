"""Step 2 of a question: find the passages that hold its evidence (BM25 and dense, fused)."""
