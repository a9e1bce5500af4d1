package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// clients talk to a real server on a loopback port, as Bazel does.
type clients struct {
	capabilities repb.CapabilitiesClient
	ac           repb.ActionCacheClient
	cas          repb.ContentAddressableStorageClient
	bytestream   bspb.ByteStreamClient
}

func serve(t *testing.T, dir string) clients {
	t.Helper()
	store, err := openDiskStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	log, err := openAccessLog(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := newGrpcServer(&cache{store: store, log: log})
	go server.Serve(listener)
	connection, err := grpc.Dial(listener.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { connection.Close(); server.Stop(); log.close() })
	return clients{
		repb.NewCapabilitiesClient(connection),
		repb.NewActionCacheClient(connection),
		repb.NewContentAddressableStorageClient(connection),
		bspb.NewByteStreamClient(connection),
	}
}

func digestOf(data []byte) *repb.Digest {
	sum := sha256.Sum256(data)
	return &repb.Digest{Hash: hex.EncodeToString(sum[:]), SizeBytes: int64(len(data))}
}

func upload(c clients, resource string, chunks ...[]byte) error {
	stream, err := c.bytestream.Write(context.Background())
	if err != nil {
		return err
	}
	offset := int64(0)
	for i, chunk := range chunks {
		request := &bspb.WriteRequest{WriteOffset: offset, Data: chunk, FinishWrite: i == len(chunks)-1}
		if i == 0 {
			request.ResourceName = resource
		}
		if err := stream.Send(request); err != nil {
			return err
		}
		offset += int64(len(chunk))
	}
	_, err = stream.CloseAndRecv()
	return err
}

func download(c clients, resource string, offset, limit int64) ([]byte, error) {
	stream, err := c.bytestream.Read(context.Background(), &bspb.ReadRequest{ResourceName: resource, ReadOffset: offset, ReadLimit: limit})
	if err != nil {
		return nil, err
	}
	var data bytes.Buffer
	for {
		response, err := stream.Recv()
		if err == io.EOF {
			return data.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		data.Write(response.Data)
	}
}

func blobResource(instance string, d *repb.Digest) string {
	return strings.TrimPrefix(instance+"/blobs/"+d.Hash+"/"+strconv.FormatInt(d.SizeBytes, 10), "/")
}

func uploadResource(instance string, d *repb.Digest) string {
	return strings.TrimPrefix(instance+"/uploads/0b4e7c1a-test/blobs/"+d.Hash+"/"+strconv.FormatInt(d.SizeBytes, 10), "/")
}

func codeOf(err error) codes.Code { return status.Code(err) }

func TestCapabilitiesOfferSha256AndUploads(t *testing.T) {
	c := serve(t, t.TempDir())
	capabilities, err := c.capabilities.GetCapabilities(context.Background(), &repb.GetCapabilitiesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	cache := capabilities.CacheCapabilities
	if len(cache.DigestFunctions) != 1 || cache.DigestFunctions[0] != repb.DigestFunction_SHA256 {
		t.Errorf("digest functions %v, want [SHA256]", cache.DigestFunctions)
	}
	if !cache.ActionCacheUpdateCapabilities.UpdateEnabled {
		t.Error("clients may not upload action results")
	}
	if capabilities.ExecutionCapabilities != nil {
		t.Error("a cache must not offer execution")
	}
	if capabilities.LowApiVersion.Major != 2 || capabilities.HighApiVersion.Major != 2 {
		t.Errorf("API versions %v..%v, want 2", capabilities.LowApiVersion, capabilities.HighApiVersion)
	}
}

func TestByteStreamRoundTripInChunksWithInstanceName(t *testing.T) {
	c := serve(t, t.TempDir())
	data := bytes.Repeat([]byte("tinyml "), 400_000) // 2.8 MB: several read chunks
	d := digestOf(data)
	missing, err := c.cas.FindMissingBlobs(context.Background(), &repb.FindMissingBlobsRequest{BlobDigests: []*repb.Digest{d}})
	if err != nil || len(missing.MissingBlobDigests) != 1 {
		t.Fatalf("before upload: missing %v, err %v", missing, err)
	}
	if err := upload(c, uploadResource("ci", d), data[:1000], data[1000:2_000_000], data[2_000_000:]); err != nil {
		t.Fatal(err)
	}
	missing, err = c.cas.FindMissingBlobs(context.Background(), &repb.FindMissingBlobsRequest{BlobDigests: []*repb.Digest{d}})
	if err != nil || len(missing.MissingBlobDigests) != 0 {
		t.Fatalf("after upload: missing %v, err %v", missing, err)
	}
	got, err := download(c, blobResource("ci", d), 0, 0)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (err %v), want %d identical bytes", len(got), err, len(data))
	}
	part, err := download(c, blobResource("", d), 7, 14)
	if err != nil || string(part) != "tinyml tinyml " {
		t.Fatalf("offset 7, limit 14: %q, %v", part, err)
	}
}

func TestUploadWhoseBytesDoNotMatchItsDigestIsRefused(t *testing.T) {
	dir := t.TempDir()
	c := serve(t, dir)
	d := digestOf([]byte("the real content"))
	err := upload(c, uploadResource("", d), []byte("other content!!!"))
	if codeOf(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "has sha256") {
		t.Fatalf("mismatched upload: %v, want InvalidArgument naming the sha256", err)
	}
	if _, err := download(c, blobResource("", d), 0, 0); codeOf(err) != codes.NotFound {
		t.Fatalf("the refused blob can be read: %v", err)
	}
	if leftovers, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(leftovers) != 0 {
		t.Errorf("refused upload left %d temporary files", len(leftovers))
	}
	short := digestOf([]byte("twelve bytes"))
	short.SizeBytes = 99
	if err := upload(c, uploadResource("", short), []byte("twelve bytes")); codeOf(err) != codes.InvalidArgument {
		t.Fatalf("short upload: %v, want InvalidArgument", err)
	}
}

func TestBadResourceNamesAndDigestsAreInvalidArguments(t *testing.T) {
	c := serve(t, t.TempDir())
	for _, resource := range []string{"blobs/xyz/3", "blobs/" + strings.Repeat("a", 64) + "/many", "nothing-here"} {
		if _, err := download(c, resource, 0, 0); codeOf(err) != codes.InvalidArgument {
			t.Errorf("read %q: %v, want InvalidArgument", resource, err)
		}
	}
	_, err := c.ac.GetActionResult(context.Background(), &repb.GetActionResultRequest{ActionDigest: &repb.Digest{Hash: "../../etc/passwd"}})
	if codeOf(err) != codes.InvalidArgument {
		t.Errorf("path-like action digest: %v, want InvalidArgument", err)
	}
}

func TestBatchesStoreAndReadEachBlobOnItsOwn(t *testing.T) {
	c := serve(t, t.TempDir())
	good, bad := []byte("good blob"), []byte("bad blob")
	badDigest := digestOf([]byte("something else"))
	response, err := c.cas.BatchUpdateBlobs(context.Background(), &repb.BatchUpdateBlobsRequest{Requests: []*repb.BatchUpdateBlobsRequest_Request{
		{Digest: digestOf(good), Data: good},
		{Digest: badDigest, Data: bad},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if response.Responses[0].Status.Code != int32(codes.OK) || response.Responses[1].Status.Code != int32(codes.InvalidArgument) {
		t.Fatalf("batch statuses %v, want OK then InvalidArgument", response.Responses)
	}
	read, err := c.cas.BatchReadBlobs(context.Background(), &repb.BatchReadBlobsRequest{Digests: []*repb.Digest{digestOf(good), badDigest, digestOf(nil)}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read.Responses[0].Data, good) || read.Responses[1].Status.Code != int32(codes.NotFound) || read.Responses[2].Status.Code != int32(codes.OK) {
		t.Fatalf("batch read %v", read.Responses)
	}
}

func TestActionResultsAreHitsOnlyWhenTheirOutputsAreStored(t *testing.T) {
	dir := t.TempDir()
	c := serve(t, dir)
	action := digestOf([]byte("an action"))
	output := []byte("an output file")
	result := &repb.ActionResult{ExitCode: 0, OutputFiles: []*repb.OutputFile{{Path: "bazel-out/model.tflite", Digest: digestOf(output)}}}

	if _, err := c.ac.GetActionResult(context.Background(), &repb.GetActionResultRequest{ActionDigest: action}); codeOf(err) != codes.NotFound {
		t.Fatalf("empty cache: %v, want NotFound", err)
	}
	if _, err := c.ac.UpdateActionResult(context.Background(), &repb.UpdateActionResultRequest{ActionDigest: action, ActionResult: result}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ac.GetActionResult(context.Background(), &repb.GetActionResultRequest{ActionDigest: action}); codeOf(err) != codes.NotFound {
		t.Fatalf("result whose output is not stored: %v, want NotFound", err)
	}
	if err := upload(c, uploadResource("", digestOf(output)), output); err != nil {
		t.Fatal(err)
	}
	got, err := c.ac.GetActionResult(context.Background(), &repb.GetActionResultRequest{ActionDigest: action})
	if err != nil || got.OutputFiles[0].Path != "bazel-out/model.tflite" {
		t.Fatalf("complete result: %v, %v", got, err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "access.log"))
	for _, event := range []string{"ac-miss ", "ac-put ", "ac-incomplete ", "cas-put ", "ac-hit "} {
		if !strings.Contains(string(log), event+action.Hash) && !strings.Contains(string(log), event+digestOf(output).Hash) {
			t.Errorf("access log lacks %q:\n%s", event, log)
		}
	}
}

func TestStoreOutlivesTheServer(t *testing.T) {
	dir := t.TempDir()
	data := []byte("kept on disk")
	if err := upload(serve(t, dir), uploadResource("", digestOf(data)), data); err != nil {
		t.Fatal(err)
	}
	// A second server on the same directory, as after a restart.
	got, err := download(serve(t, dir), blobResource("", digestOf(data)), 0, 0)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after restart: %q, %v", got, err)
	}
}
