complete --keep-order --exclusive --command runas --arguments "(COMPLETE=fish runas -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
