// Command mkcorpus writes the model benchmark's data sets (see package
// corpus) into a directory: NAME_train.csv and NAME_test.csv for each, and
// corpus.json listing them with their target and id columns, for
// bench/models.py to read.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"daihou/bench/corpus"
	"daihou/scoring/dataset"
)

func main() {
	out := flag.String("out", "", "directory to write the data sets into")
	seed := flag.Uint64("seed", 1, "seed of the synthetic sets")
	taiwan := flag.String("taiwan", "", "the Taiwan credit-card CSV, split by the benchmark protocol; empty to leave it out")
	flag.Parse()
	if err := run(*out, *seed, *taiwan); err != nil {
		fmt.Fprintln(os.Stderr, "mkcorpus:", err)
		os.Exit(1)
	}
}

type entry struct {
	Name    string   `json:"name"`
	About   string   `json:"about"`
	Target  string   `json:"target"`
	Exclude []string `json:"exclude"`
}

func run(out string, seed uint64, taiwan string) error {
	if out == "" {
		return fmt.Errorf("--out is required")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var sets []corpus.Set
	if taiwan != "" {
		s, err := taiwanSet(taiwan)
		if err != nil {
			return err
		}
		sets = append(sets, s)
	}
	syn, err := corpus.Synthetic(context.Background(), seed)
	if err != nil {
		return err
	}
	sets = append(sets, syn...)
	var list []entry
	for _, s := range sets {
		for suffix, text := range map[string]string{"_train.csv": s.Train, "_test.csv": s.Test} {
			if err := os.WriteFile(filepath.Join(out, s.Name+suffix), []byte(text), 0o644); err != nil {
				return err
			}
		}
		list = append(list, entry{s.Name, s.About, s.Target, s.Exclude})
	}
	js, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "corpus.json"), js, 0o644)
}

// taiwanSet splits the Taiwan file by the protocol of shared/data.
func taiwanSet(path string) (corpus.Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return corpus.Set{}, err
	}
	defer f.Close()
	tr, te, err := dataset.SplitProtocol(f)
	if err != nil {
		return corpus.Set{}, err
	}
	return corpus.Set{Name: "taiwan", About: "30,000 credit-card clients, Taiwan 2005 (UCI 350)", Target: "default_next_month",
		Exclude: []string{"ID"}, Train: string(tr), Test: string(te)}, nil
}
