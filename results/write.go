package results

import "io"

// WriteFileAtomic writes path through a temporary file renamed into place,
// so a reader never sees half a file: the renderers of package report use
// it for the files they add to a results directory.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	return writeFileAtomic(path, write)
}
