package fileinfo_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
)

func Example() {
	dir, err := os.MkdirTemp("", "fileinfo-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hello.txt")
	if err := os.WriteFile(path, []byte("hello\nworld\n"), 0o644); err != nil {
		fmt.Println(err)
		return
	}

	p, err := fileinfo.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, err := p.Run(context.Background(), path, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.Size, rec.Lines, rec.ContentType, rec.Text)
	fmt.Println(rec.SHA256)
	// Output:
	// 12 2 text/plain; charset=utf-8 true
	// 4a1e67f2fe1d1cc7b31d0ca2ec441da4778203a036a77da10344c85e24ff0f92
}
