// Package fileinfo is a built-in pipeline that inventories files. Given a
// file path it returns a [Record] with the file's size, SHA-256 digest, line
// count and sniffed content type.
//
// # Stages
//
// The pipeline runs three stages, each with its own timeout and retries:
//
//   - stat checks that the path names a regular file and records its size.
//   - hash streams the file through SHA-256 and counts its lines.
//   - classify sniffs the content type from the first 512 bytes and sets a
//     text hint.
//
// Stages pass a [Record] along, never file contents, so the values that a
// Temporal workflow stores in its history stay small whatever the file size.
// A missing file, a path that is not a regular file and a permission error
// are permanent: they are not retried.
//
// # Usage
//
//	p, err := fileinfo.New()
//	if err != nil {
//		return err
//	}
//	paths, err := fileinfo.ListFiles(dir)
//	if err != nil {
//		return err
//	}
//	records, err := p.Map(ctx, paths, 8, nil)
package fileinfo
