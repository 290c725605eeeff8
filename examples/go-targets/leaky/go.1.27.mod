module leakgate.dev/examples/go-targets/leaky

go 1.27
