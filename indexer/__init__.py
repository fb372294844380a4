"""Indexer: extraction, chunking, the catalog, LanceDB storage, the folder watcher. No Qt."""
