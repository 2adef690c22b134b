"""The end-of-year review pack (JSON, CSV, XLSX, PDF), its inputs (self-assessment, unit costs) and pages."""
