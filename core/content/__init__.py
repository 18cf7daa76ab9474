"""News, documents, announcements and useful-life pages published down the organisation tree."""
