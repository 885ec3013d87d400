"""Rubric documents (rubrics/*.yaml): models, loader with line numbers, cross-checks, CLI.

    loader.load_document(path) / load_dir(directory) -> Library   (SourceError: "file:line: reason")
    validate.check_library(library) -> list[Issue]
    models.schemas() -> the published JSON Schemas
"""
