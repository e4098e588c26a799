return 1; // placeholder until the host is written
