"""The pure domain (DESIGN.md section 1): model, requirement catalog, validation rules, names and languages.

No Qt, no files, no clock: the catalog text and today's date are passed in, so every rule is testable as data.
"""
