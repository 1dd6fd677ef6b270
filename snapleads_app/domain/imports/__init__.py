"""CSV import: reading files (csv_reader), column mapping (mapping), value parsing (values)."""
