"""The pipeline's stages, one module each: load → validate → resolve → derive → render → publish → index."""
