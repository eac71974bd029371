"""Personal data in feedback: finding and redacting names, identity codes and contacts."""
