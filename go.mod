module github.com/async-pipeline/async-pipeline-go

go 1.26
