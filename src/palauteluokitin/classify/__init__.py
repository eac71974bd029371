"""Serving: load a model bundle and classify comments, frames and whole export files."""
