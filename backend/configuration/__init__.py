"""The deployment's settings over the rubric files: versioned, audited, in force everywhere."""
