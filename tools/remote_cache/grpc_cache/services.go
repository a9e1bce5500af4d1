package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"github.com/bazelbuild/remote-apis/build/bazel/semver"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Bytes per ByteStream read response and the largest batch a client may send: under
// gRPC's default 4 MiB message limit, with room for the envelope.
const (
	readChunkBytes    = 1 << 20
	maxBatchBytes     = 4<<20 - 64<<10
	maxGrpcMessageLen = 4 << 20
)

// cache implements the REAPI services a remote cache needs: Capabilities, ActionCache,
// ContentAddressableStorage and ByteStream, over one diskStore. It executes nothing.
type cache struct {
	repb.UnimplementedCapabilitiesServer
	repb.UnimplementedActionCacheServer
	repb.UnimplementedContentAddressableStorageServer
	bspb.UnimplementedByteStreamServer

	store *diskStore
	log   *accessLog
}

func invalid(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, format, args...)
}

func checkDigest(digest *repb.Digest) error {
	if digest == nil {
		return invalid("missing digest")
	}
	if err := checkHash(digest.Hash); err != nil {
		return invalid("%v", err)
	}
	if digest.SizeBytes < 0 {
		return invalid("digest %s has negative size %d", digest.Hash, digest.SizeBytes)
	}
	return nil
}

func (c *cache) GetCapabilities(context.Context, *repb.GetCapabilitiesRequest) (*repb.ServerCapabilities, error) {
	return &repb.ServerCapabilities{
		CacheCapabilities: &repb.CacheCapabilities{
			DigestFunctions:                 []repb.DigestFunction_Value{repb.DigestFunction_SHA256},
			ActionCacheUpdateCapabilities:   &repb.ActionCacheUpdateCapabilities{UpdateEnabled: true},
			MaxBatchTotalSizeBytes:          maxBatchBytes,
			SymlinkAbsolutePathStrategy:     repb.SymlinkAbsolutePathStrategy_DISALLOWED,
			SupportedCompressors:            nil,
			SupportedBatchUpdateCompressors: nil,
		},
		// No ExecutionCapabilities: this server only caches.
		LowApiVersion:  &semver.SemVer{Major: 2},
		HighApiVersion: &semver.SemVer{Major: 2},
	}, nil
}

// GetActionResult answers NOT_FOUND unless every output the result names is in the CAS,
// so a client never gets a hit it cannot download.
func (c *cache) GetActionResult(_ context.Context, request *repb.GetActionResultRequest) (*repb.ActionResult, error) {
	if err := checkDigest(request.ActionDigest); err != nil {
		return nil, err
	}
	serialized, err := c.store.getActionResult(request.ActionDigest.Hash)
	if errors.Is(err, errNotFound) {
		c.log.record("ac-miss", request.ActionDigest.Hash)
		return nil, status.Error(codes.NotFound, "no action result for "+request.ActionDigest.Hash)
	}
	if err != nil {
		return nil, status.Errorf(codes.Internal, "reading action result %s: %v", request.ActionDigest.Hash, err)
	}
	result := &repb.ActionResult{}
	if err := proto.Unmarshal(serialized, result); err != nil {
		return nil, status.Errorf(codes.Internal, "action result %s is corrupt: %v", request.ActionDigest.Hash, err)
	}
	for _, missing := range c.missingOutputs(result) {
		c.log.record("ac-incomplete", request.ActionDigest.Hash+" "+missing)
		return nil, status.Errorf(codes.NotFound, "action result %s names blob %s, which the store lacks", request.ActionDigest.Hash, missing)
	}
	c.log.record("ac-hit", request.ActionDigest.Hash)
	return result, nil
}

func (c *cache) missingOutputs(result *repb.ActionResult) []string {
	var digests []*repb.Digest
	for _, file := range result.OutputFiles {
		digests = append(digests, file.Digest)
	}
	for _, directory := range result.OutputDirectories {
		digests = append(digests, directory.TreeDigest)
	}
	digests = append(digests, result.StdoutDigest, result.StderrDigest)
	var missing []string
	for _, digest := range digests {
		if digest != nil && !c.store.hasBlob(digest.Hash, digest.SizeBytes) {
			missing = append(missing, digest.Hash)
		}
	}
	return missing
}

func (c *cache) UpdateActionResult(_ context.Context, request *repb.UpdateActionResultRequest) (*repb.ActionResult, error) {
	if err := checkDigest(request.ActionDigest); err != nil {
		return nil, err
	}
	if request.ActionResult == nil {
		return nil, invalid("UpdateActionResult for %s carries no action result", request.ActionDigest.Hash)
	}
	serialized, err := proto.MarshalOptions{Deterministic: true}.Marshal(request.ActionResult)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "serializing action result: %v", err)
	}
	if err := c.store.putActionResult(request.ActionDigest.Hash, serialized); err != nil {
		return nil, status.Errorf(codes.Internal, "storing action result %s: %v", request.ActionDigest.Hash, err)
	}
	c.log.record("ac-put", request.ActionDigest.Hash)
	return request.ActionResult, nil
}

func (c *cache) FindMissingBlobs(_ context.Context, request *repb.FindMissingBlobsRequest) (*repb.FindMissingBlobsResponse, error) {
	response := &repb.FindMissingBlobsResponse{}
	for _, digest := range request.BlobDigests {
		if err := checkDigest(digest); err != nil {
			return nil, err
		}
		if !c.store.hasBlob(digest.Hash, digest.SizeBytes) {
			response.MissingBlobDigests = append(response.MissingBlobDigests, digest)
		}
	}
	return response, nil
}

func rpcStatus(err error) *rpcstatus.Status {
	if err == nil {
		return &rpcstatus.Status{Code: int32(codes.OK)}
	}
	return status.Convert(err).Proto()
}

func (c *cache) BatchUpdateBlobs(_ context.Context, request *repb.BatchUpdateBlobsRequest) (*repb.BatchUpdateBlobsResponse, error) {
	response := &repb.BatchUpdateBlobsResponse{}
	for _, blob := range request.Requests {
		err := checkDigest(blob.Digest)
		if err == nil {
			if err = c.store.putBlob(blob.Digest.Hash, blob.Data); err != nil {
				err = invalid("%v", err)
			} else {
				c.log.record("cas-put", blob.Digest.Hash)
			}
		}
		response.Responses = append(response.Responses, &repb.BatchUpdateBlobsResponse_Response{Digest: blob.Digest, Status: rpcStatus(err)})
	}
	return response, nil
}

func (c *cache) BatchReadBlobs(_ context.Context, request *repb.BatchReadBlobsRequest) (*repb.BatchReadBlobsResponse, error) {
	response := &repb.BatchReadBlobsResponse{}
	for _, digest := range request.Digests {
		if err := checkDigest(digest); err != nil {
			return nil, err
		}
		data, err := c.store.readBlob(digest.Hash, digest.SizeBytes)
		switch {
		case errors.Is(err, errNotFound):
			err = status.Error(codes.NotFound, "no blob "+digest.Hash)
		case err != nil:
			err = status.Errorf(codes.Internal, "reading blob %s: %v", digest.Hash, err)
		default:
			c.log.record("cas-hit", digest.Hash)
		}
		response.Responses = append(response.Responses, &repb.BatchReadBlobsResponse_Response{Digest: digest, Data: data, Status: rpcStatus(err)})
	}
	return response, nil
}

// parseResource reads "[instance/]blobs/HASH/SIZE[/...]" (reads) or
// "[instance/]uploads/UUID/blobs/HASH/SIZE[/...]" (writes).
func parseResource(name string, upload bool) (*repb.Digest, error) {
	parts := strings.Split(name, "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] != "blobs" || (upload && (i < 2 || parts[i-2] != "uploads")) {
			continue
		}
		size, err := strconv.ParseInt(parts[i+2], 10, 64)
		if err != nil {
			return nil, invalid("resource %q: size %q is not a number", name, parts[i+2])
		}
		digest := &repb.Digest{Hash: parts[i+1], SizeBytes: size}
		if err := checkDigest(digest); err != nil {
			return nil, err
		}
		return digest, nil
	}
	if upload {
		return nil, invalid("resource %q is not of the form [instance/]uploads/UUID/blobs/HASH/SIZE", name)
	}
	return nil, invalid("resource %q is not of the form [instance/]blobs/HASH/SIZE", name)
}

func (c *cache) Read(request *bspb.ReadRequest, stream bspb.ByteStream_ReadServer) error {
	digest, err := parseResource(request.ResourceName, false)
	if err != nil {
		return err
	}
	if request.ReadOffset < 0 || request.ReadOffset > digest.SizeBytes || request.ReadLimit < 0 {
		return status.Errorf(codes.OutOfRange, "read of %s at offset %d, limit %d: the blob has %d bytes", digest.Hash, request.ReadOffset, request.ReadLimit, digest.SizeBytes)
	}
	if digest.SizeBytes == 0 && digest.Hash == emptyHash {
		c.log.record("cas-hit", digest.Hash)
		return stream.Send(&bspb.ReadResponse{})
	}
	if !c.store.hasBlob(digest.Hash, digest.SizeBytes) {
		c.log.record("cas-miss", digest.Hash)
		return status.Error(codes.NotFound, "no blob "+digest.Hash)
	}
	file, err := c.store.openBlob(digest.Hash)
	if err != nil {
		return status.Errorf(codes.NotFound, "blob %s: %v", digest.Hash, err)
	}
	defer file.Close()
	remaining := digest.SizeBytes - request.ReadOffset
	if request.ReadLimit > 0 && request.ReadLimit < remaining {
		remaining = request.ReadLimit
	}
	reader := io.NewSectionReader(file, request.ReadOffset, remaining)
	buffer := make([]byte, readChunkBytes)
	for {
		n, err := reader.Read(buffer)
		if n > 0 {
			if sendErr := stream.Send(&bspb.ReadResponse{Data: buffer[:n]}); sendErr != nil {
				return sendErr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return status.Errorf(codes.Internal, "reading blob %s: %v", digest.Hash, err)
		}
	}
	c.log.record("cas-hit", digest.Hash)
	return nil
}

func (c *cache) Write(stream bspb.ByteStream_WriteServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	digest, err := parseResource(first.ResourceName, true)
	if err != nil {
		return err
	}
	writer, err := c.store.newBlobWriter(digest.Hash, digest.SizeBytes)
	if err != nil {
		return status.Errorf(codes.Internal, "starting upload of %s: %v", digest.Hash, err)
	}
	request := first
	for {
		if request.WriteOffset != writer.written {
			writer.abort()
			return invalid("upload of %s: write at offset %d, but %d bytes were received", digest.Hash, request.WriteOffset, writer.written)
		}
		if _, err := writer.Write(request.Data); err != nil {
			writer.abort()
			return status.Errorf(codes.Internal, "writing %s: %v", digest.Hash, err)
		}
		if request.FinishWrite {
			break
		}
		if request, err = stream.Recv(); err != nil {
			writer.abort()
			if err == io.EOF {
				return invalid("upload of %s ended without finish_write", digest.Hash)
			}
			return err
		}
	}
	if err := writer.commit(); err != nil {
		return invalid("%v", err)
	}
	c.log.record("cas-put", digest.Hash)
	return stream.SendAndClose(&bspb.WriteResponse{CommittedSize: digest.SizeBytes})
}

func (c *cache) QueryWriteStatus(_ context.Context, request *bspb.QueryWriteStatusRequest) (*bspb.QueryWriteStatusResponse, error) {
	digest, err := parseResource(request.ResourceName, true)
	if err != nil {
		return nil, err
	}
	if c.store.hasBlob(digest.Hash, digest.SizeBytes) {
		return &bspb.QueryWriteStatusResponse{CommittedSize: digest.SizeBytes, Complete: true}, nil
	}
	// Uploads are not resumable: a broken one starts again from byte 0.
	return nil, status.Error(codes.NotFound, fmt.Sprintf("no finished upload of %s", digest.Hash))
}
