package check

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// runID stands for what run-nightly.sh puts in place of ${RUN_ID}.
const runID = "20261206-030000"

// manifests are the deploy/kubernetes/*.yaml files, split into documents,
// with ${RUN_ID} replaced as run-nightly.sh does.
func manifests(t *testing.T) map[string][][]byte {
	t.Helper()
	paths, err := filepath.Glob("../*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	out := map[string][][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.ReplaceAll(data, []byte("${RUN_ID}"), []byte(runID))
		for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
			if strings.TrimSpace(stripComments(doc)) != "" {
				out[filepath.Base(p)] = append(out[filepath.Base(p)], []byte(doc))
			}
		}
	}
	return out
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// decoded holds every object, each decoded strictly: a misspelt or
// misplaced field is an error, as the API server's strict field
// validation would make it.
type decoded struct {
	jobs       map[string]*batchv1.Job // by file
	pvcs       []*corev1.PersistentVolumeClaim
	configMaps []*corev1.ConfigMap
}

func decodeAll(t *testing.T) decoded {
	t.Helper()
	d := decoded{jobs: map[string]*batchv1.Job{}}
	for file, docs := range manifests(t) {
		for _, doc := range docs {
			var meta struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal(doc, &meta); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			var obj any
			switch meta.APIVersion + " " + meta.Kind {
			case "batch/v1 Job":
				j := &batchv1.Job{}
				d.jobs[file], obj = j, j
			case "v1 PersistentVolumeClaim":
				p := &corev1.PersistentVolumeClaim{}
				d.pvcs, obj = append(d.pvcs, p), p
			case "v1 ConfigMap":
				c := &corev1.ConfigMap{}
				d.configMaps, obj = append(d.configMaps, c), c
			default:
				t.Fatalf("%s: unexpected %s %s", file, meta.APIVersion, meta.Kind)
			}
			if err := decodeStrict(doc, obj); err != nil {
				t.Errorf("%s: %v", file, err)
			}
		}
	}
	return d
}

// decodeStrict decodes as the API server does: field names match
// case-sensitively, and unknown or duplicate fields are errors.
func decodeStrict(doc []byte, obj any) error {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(js, obj)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func TestManifestsDecodeStrictly(t *testing.T) {
	d := decodeAll(t)
	if d.jobs["job.yaml"] == nil || d.jobs["merge-job.yaml"] == nil || len(d.pvcs) != 1 || len(d.configMaps) != 1 {
		t.Fatalf("want job.yaml, merge-job.yaml, one PVC and one ConfigMap; got jobs %v, %d PVCs, %d ConfigMaps",
			keys(d.jobs), len(d.pvcs), len(d.configMaps))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Both Jobs run as the image's nonroot user with a group that owns the
// volume, a read-only root file system, bounded resources with GOMEMLIMIT
// taken from the memory limit, a deadline, no retries, and per-run names.
func TestJobsAreSafeAndPerRun(t *testing.T) {
	d := decodeAll(t)
	image := dockerTag(t)
	for file, j := range d.jobs {
		t.Run(file, func(t *testing.T) {
			if !strings.HasSuffix(j.Name, "-"+runID) {
				t.Errorf("name %q is not per run (want a -${RUN_ID} suffix)", j.Name)
			}
			if j.Spec.ActiveDeadlineSeconds == nil || *j.Spec.ActiveDeadlineSeconds <= 0 {
				t.Error("no activeDeadlineSeconds")
			}
			retries := j.Spec.BackoffLimit
			if j.Spec.BackoffLimitPerIndex != nil {
				retries = j.Spec.BackoffLimitPerIndex
			}
			if retries == nil || *retries != 0 {
				t.Error("want no retries: backoffLimit (or backoffLimitPerIndex) 0")
			}
			pod := j.Spec.Template.Spec
			if pod.RestartPolicy != corev1.RestartPolicyNever {
				t.Errorf("restartPolicy %q, want Never", pod.RestartPolicy)
			}
			sc := pod.SecurityContext
			if sc == nil || sc.FSGroup == nil || *sc.FSGroup != 65532 || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot ||
				sc.RunAsUser == nil || *sc.RunAsUser != 65532 {
				t.Errorf("pod securityContext %+v: want runAsNonRoot, runAsUser 65532, fsGroup 65532", sc)
			}
			if len(pod.Containers) != 1 {
				t.Fatalf("%d containers", len(pod.Containers))
			}
			c := pod.Containers[0]
			if c.Image != image {
				t.Errorf("image %q, but deploy/Dockerfile builds %q", c.Image, image)
			}
			if c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
				t.Error("root file system is not read-only")
			}
			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				if _, ok := c.Resources.Requests[r]; !ok {
					t.Errorf("no %s request", r)
				}
				if _, ok := c.Resources.Limits[r]; !ok {
					t.Errorf("no %s limit", r)
				}
			}
			var memlimit bool
			for _, e := range c.Env {
				if e.Name == "JOB_COMPLETION_INDEX" {
					t.Error("JOB_COMPLETION_INDEX is declared by hand; the Job controller sets it")
				}
				if e.Name == "GOMEMLIMIT" && e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef != nil &&
					e.ValueFrom.ResourceFieldRef.Resource == "limits.memory" && e.ValueFrom.ResourceFieldRef.ContainerName == c.Name {
					memlimit = true
				}
			}
			if !memlimit {
				t.Error("GOMEMLIMIT does not come from this container's limits.memory")
			}
			for _, v := range pod.Volumes {
				if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName != d.pvcs[0].Name {
					t.Errorf("claim %q, but pvc.yaml declares %q", v.PersistentVolumeClaim.ClaimName, d.pvcs[0].Name)
				}
			}
		})
	}
}

// The shards write to /results/<RUN_ID>/shard-<index>, with the index from
// the controller; the merge lists exactly those directories.
func TestMergeListsExactlyThisRunsShards(t *testing.T) {
	d := decodeAll(t)
	shards, merge := d.jobs["job.yaml"], d.jobs["merge-job.yaml"]
	if shards.Spec.CompletionMode == nil || *shards.Spec.CompletionMode != batchv1.IndexedCompletion || shards.Spec.Completions == nil {
		t.Fatal("job.yaml is not an Indexed Job with completions")
	}
	n := int(*shards.Spec.Completions)
	args := shards.Spec.Template.Spec.Containers[0].Args
	if !slices.Contains(args, "--out=/results/$(RUN_ID)/shard-$(JOB_COMPLETION_INDEX)") || !slices.Contains(args, fmt.Sprintf("--shard=job/%d", n)) {
		t.Errorf("shard args %q: want --shard=job/%d and --out=/results/$(RUN_ID)/shard-$(JOB_COMPLETION_INDEX)", args, n)
	}
	margs := merge.Spec.Template.Spec.Containers[0].Args
	want := []string{"merge"}
	for i := range n {
		want = append(want, fmt.Sprintf("/results/$(RUN_ID)/shard-%d", i))
	}
	want = append(want, "--out=/results/$(RUN_ID)/merged")
	if !slices.Equal(margs, want) {
		t.Errorf("merge args %q, want %q", margs, want)
	}
	for _, j := range []*batchv1.Job{shards, merge} {
		if v := envValue(j.Spec.Template.Spec.Containers[0].Env, "RUN_ID"); v != runID {
			t.Errorf("%s: RUN_ID env %q, want the run's id", j.Name, v)
		}
	}
}

func envValue(env []corev1.EnvVar, name string) string {
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func TestClaimIsReadWriteMany(t *testing.T) {
	d := decodeAll(t)
	if !slices.Contains(d.pvcs[0].Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("access modes %v: parallel shard pods need ReadWriteMany", d.pvcs[0].Spec.AccessModes)
	}
}

// dockerTag is the tag deploy/Dockerfile's build line gives the image.
func dockerTag(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`docker build .* -t (\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("deploy/Dockerfile names no `docker build … -t TAG`")
	}
	return string(m[1])
}

// The image's build context leaves run outputs and credentials out.
func TestDockerIgnore(t *testing.T) {
	data, err := os.ReadFile("../../../.dockerignore")
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	for _, want := range []string{"runs/", "*.csv", ".git"} {
		if !slices.Contains(strings.Fields(string(data)), want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}
