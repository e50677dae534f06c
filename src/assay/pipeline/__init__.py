"""The evaluation pipeline: input → unpack and inventory → later stages → Evaluation."""
