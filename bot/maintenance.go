package bot

import "fmt"

func runBackup(cl *call, pos []string) error {
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	n, from, err := Backup(cfg.Storage.Path, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(cl.Stdout, "Backed up %s (%d bytes, from %s) to %s; the copy passed the consistency check.\n", cfg.Storage.Path, n, from, pos[0])
	return nil
}

func runStoreCheck(cl *call, _ []string) error {
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	if err := CheckStore(cfg.Storage.Path); err != nil {
		return err
	}
	fmt.Fprintf(cl.Stdout, "%s: sound; the consistency check found no problems.\n", cfg.Storage.Path)
	return nil
}
