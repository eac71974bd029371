"""Reading and writing feedback exports: CSV/TSV/TXT, Excel, Parquet and JSONL."""
