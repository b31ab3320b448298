"""Plot widgets shared by the views: spectrograms with one cursor, histogram, percentile table."""
