"""Step 3 of a question: say the answer from the passages, extractively or with an LLM, cited."""
