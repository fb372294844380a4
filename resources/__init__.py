"""Data files shipped with the app: icons, translations, prompt templates, sample documents."""
