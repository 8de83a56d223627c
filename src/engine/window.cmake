# window operators: sources added to eddy_engine, and their tests.
