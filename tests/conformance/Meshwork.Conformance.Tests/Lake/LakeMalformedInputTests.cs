using System.Text.Json.Nodes;
using Meshwork.Formats.Avro;
using Meshwork.Formats.Parquet;
using Meshwork.Lake;
using Meshwork.Lake.IO;
using Meshwork.Lake.Manifests;
using Meshwork.Lake.Metadata;
using Meshwork.Testing;

namespace Meshwork.Conformance.Tests.Lake;

/// <summary>
/// Damaged tables fail with clear errors that name the file: corrupt Parquet footers and truncated data files
/// (<see cref="ParquetFormatException"/>), manifests without field ids — as other writers produced them — and
/// truncated manifests or metadata (<see cref="IcebergFormatException"/>).
/// </summary>
public class LakeMalformedInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<LakeTable> TableWithDataAsync(TempDirectory dir)
    {
        var schema = new IcebergSchema(0, [NestedField.Require(1, "id", PrimitiveType.Long), NestedField.Optional(2, "name", PrimitiveType.String)], [1]);
        var table = await LakeTable.CreateAsync(new LocalFileIO(), LocalFileIO.ToLocation(dir.Combine("t")), schema, cancellationToken: Ct);
        await table.NewTransaction().Append(Enumerable.Range(1, 50).Select(i => new object?[] { (long)i, "row " + i })).CommitAsync(Ct);
        return table;
    }

    private static async Task<string> DataFileAsync(LakeTable table) =>
        LocalFileIO.ToPath((await table.LiveFilesAsync(null, Ct)).Single(e => e.File.Content == FileContent.Data).File.Path);

    [Fact]
    public async Task CorruptParquetFooter_FailsTheRead_NamingTheFile()
    {
        using var dir = new TempDirectory("lake-bad-footer");
        var table = await TableWithDataAsync(dir);
        var path = await DataFileAsync(table);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        var footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
        for (var i = bytes.Length - 8 - footerLength; i < bytes.Length - 8; i += 3)
        {
            bytes[i] = 0xFF;
        }

        await File.WriteAllBytesAsync(path, bytes, Ct);
        var e = await Assert.ThrowsAsync<ParquetFormatException>(() => table.ReadAsync(null, Ct));
        Assert.Contains(Path.GetFileName(path), e.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.99)]
    [InlineData(0.0)]
    public async Task TruncatedParquetFile_FailsTheRead_NamingTheFile(double keep)
    {
        using var dir = new TempDirectory("lake-truncated");
        var table = await TableWithDataAsync(dir);
        var path = await DataFileAsync(table);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        await File.WriteAllBytesAsync(path, bytes[..(int)(bytes.Length * keep)], Ct);
        var e = await Assert.ThrowsAsync<ParquetFormatException>(() => table.ReadAsync(null, Ct));
        Assert.Contains(Path.GetFileName(path), e.Message);
    }

    [Fact]
    public async Task ManifestWithoutFieldIds_IsRejected_NamingTheFieldAndFile_AsPython3AvroAlsoSees()
    {
        using var dir = new TempDirectory("lake-no-ids");
        var table = await TableWithDataAsync(dir);
        var list = ManifestFiles.ReadManifestList(await table.FileIO.ReadAllBytesAsync(table.CurrentSnapshot!.ManifestList, Ct), table.CurrentSnapshot.ManifestList);
        var manifest = LocalFileIO.ToPath(list.Single().Path);

        // Re-encode the manifest the way writers that fell into the trap did: same records, schema without field-id.
        byte[] rewritten;
        using (var reader = new AvroContainerReader(new MemoryStream(await File.ReadAllBytesAsync(manifest, Ct))))
        {
            var json = JsonNode.Parse(reader.Schema.ToJson())!;
            Strip(json);
            var schema = AvroSchema.Parse(json.ToJsonString());
            var metadata = reader.Metadata.Where(m => !m.Key.StartsWith("avro.", StringComparison.Ordinal)).ToDictionary(m => m.Key, m => m.Value);
            using var output = new MemoryStream();
            using (var writer = new AvroContainerWriter(output, schema, new AvroContainerWriterOptions { Codec = "deflate", Metadata = metadata }, leaveOpen: true))
            {
                foreach (var record in reader)
                {
                    writer.Append(record);
                }
            }

            rewritten = output.ToArray();
        }

        await File.WriteAllBytesAsync(manifest, rewritten, Ct);
        var e = await Assert.ThrowsAsync<IcebergFormatException>(() => table.ReadAsync(null, Ct));
        Assert.Contains("has no field-id", e.Message);
        Assert.Contains("'status'", e.Message);
        Assert.Contains(Path.GetFileName(manifest), e.Message);

        var report = await LakeTools.PythonAsync("avro_field_ids.py", manifest);
        Assert.Contains("data_file.file_path", report[manifest]!["missing"]!.AsArray().Select(m => (string)m!));
    }

    [Fact]
    public async Task TruncatedManifestList_AndCorruptMetadata_AreRejected_NamingTheFile()
    {
        using var dir = new TempDirectory("lake-bad-meta");
        var table = await TableWithDataAsync(dir);
        var listPath = LocalFileIO.ToPath(table.CurrentSnapshot!.ManifestList);
        var bytes = await File.ReadAllBytesAsync(listPath, Ct);
        await File.WriteAllBytesAsync(listPath, bytes[..(bytes.Length / 2)], Ct);
        var e = await Assert.ThrowsAsync<IcebergFormatException>(() => table.ReadAsync(null, Ct));
        Assert.Contains(Path.GetFileName(listPath), e.Message);

        var metadataPath = LocalFileIO.ToPath(table.MetadataLocation);
        await File.WriteAllTextAsync(metadataPath, "{\"format-version\": 2, \"table-uuid\": ", Ct);
        var m = await Assert.ThrowsAsync<IcebergFormatException>(() => LakeTable.LoadAsync(new LocalFileIO(), table.Location, cancellationToken: Ct));
        Assert.Contains(Path.GetFileName(metadataPath), m.Message);
        Assert.Contains("not valid JSON", m.Message);

        await File.WriteAllTextAsync(metadataPath, "{\"format-version\": 3}", Ct);
        var v = await Assert.ThrowsAsync<IcebergFormatException>(() => LakeTable.LoadAsync(new LocalFileIO(), table.Location, cancellationToken: Ct));
        Assert.Contains("format-version 3 is not supported", v.Message);
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("field-id");
                foreach (var (_, child) in o.ToList())
                {
                    Strip(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Strip(child);
                }

                break;
        }
    }
}
