"""Pressroom: publish a website from Markdown files dropped into an S3 bucket."""

__version__ = "0.1.0"
