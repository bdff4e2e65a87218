"""Pages of the evaluation app, split by noun: public questionnaire, evaluation management,
activities, awards, private files."""
