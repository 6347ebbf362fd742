"""Step 1 of a question: rewrite a follow-up, then read it once into a plan (:mod:`.plan`)."""
