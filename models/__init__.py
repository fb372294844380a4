"""Models: embedders and LLMs behind small protocols. No Qt, no knowledge of the index."""
