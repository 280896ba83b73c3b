using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Meshwork.Formats.Parquet;

/// <summary>
/// The buffered values and levels of one leaf column for the row group being written. Values are
/// kept in their PLAIN little-endian form (booleans one per byte, byte arrays concatenated with an
/// offset table) so that appends, dictionary building and PLAIN pages are copies, not conversions.
/// </summary>
internal sealed partial class ColumnBuffer : IDisposable
{
    private const int InitialCapacity = 1024;
    private readonly ByteBuffer _values = new(InitialCapacity * 8);
    private readonly bool _hasDef;
    private readonly bool _hasRep;
    private int[] _offsets;
    private byte[] _def;
    private byte[] _rep;

    public ColumnBuffer(ParquetColumn column)
    {
        Column = column;
        Codec = new LeafCodec(column.Field);
        if (column.Field.PhysicalType == ParquetPhysicalType.Int96)
        {
            throw new ArgumentException($"column '{column}': INT96 is deprecated and not supported for writing; use Timestamp");
        }

        MaxDef = column.MaxDefinitionLevel;
        MaxRep = column.MaxRepetitionLevel;
        _hasDef = MaxDef > 0;
        _hasRep = MaxRep > 0;
        _offsets = Codec.Width < 0 ? ArrayPool<int>.Shared.Rent(InitialCapacity) : [];
        _def = _hasDef ? ArrayPool<byte>.Shared.Rent(InitialCapacity) : [];
        _rep = _hasRep ? ArrayPool<byte>.Shared.Rent(InitialCapacity) : [];
    }

    public ParquetColumn Column { get; }

    public LeafCodec Codec { get; }

    public int MaxDef { get; }

    public int MaxRep { get; }

    public bool HasLevels => _hasDef || _hasRep;

    /// <summary>Non-null values buffered.</summary>
    public int ValueCount { get; private set; }

    /// <summary>Level entries buffered (equal to <see cref="ValueCount"/> when the column has no levels).</summary>
    public int EntryCount => HasLevels ? LevelCount : ValueCount;

    private int LevelCount { get; set; }

    /// <summary>Approximate buffered bytes, for the row-group byte limit.</summary>
    public long BufferedBytes => _values.Length + ((long)ValueCount * (Codec.Width < 0 ? 4 : 0)) + LevelCount;

    // ------------------------------------------------------------------ levels

    /// <summary>Records an entry without a value (a null or an empty list at some level).</summary>
    public void AddNull(int def, int rep)
    {
        EnsureLevels(1);
        if (_hasDef)
        {
            _def[LevelCount] = (byte)def;
        }

        if (_hasRep)
        {
            _rep[LevelCount] = (byte)rep;
        }

        LevelCount++;
    }

    private void AddPresent(int rep)
    {
        if (!HasLevels)
        {
            return;
        }

        EnsureLevels(1);
        if (_hasDef)
        {
            _def[LevelCount] = (byte)MaxDef;
        }

        if (_hasRep)
        {
            _rep[LevelCount] = (byte)rep;
        }

        LevelCount++;
    }

    private void EnsureLevels(int count)
    {
        if (LevelCount + count > Math.Max(_def.Length, _rep.Length))
        {
            var size = Math.Max((LevelCount + count) * 2L, InitialCapacity);
            if (size > Array.MaxLength)
            {
                throw new InvalidOperationException($"column '{Column}': too many values buffered; use a smaller RowGroupSize");
            }

            if (_hasDef)
            {
                Grow(ref _def, (int)size, LevelCount);
            }

            if (_hasRep)
            {
                Grow(ref _rep, (int)size, LevelCount);
            }
        }
    }

    private static void Grow<T>(ref T[] array, int size, int used)
    {
        var next = ArrayPool<T>.Shared.Rent(size);
        array.AsSpan(0, used).CopyTo(next);
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array);
        }

        array = next;
    }

    // ------------------------------------------------------------------ values

    private Span<byte> NextFixed(int rep)
    {
        AddPresent(rep);
        ValueCount++;
        return _values.Append(Codec.Width);
    }

    private void AddBytes(ReadOnlySpan<byte> bytes, int rep)
    {
        AddPresent(rep);
        StartBytesValue();
        _values.Write(bytes);
    }

    private void StartBytesValue()
    {
        if (ValueCount + 2 > _offsets.Length)
        {
            Grow(ref _offsets, Math.Max((ValueCount + 2) * 2, InitialCapacity), ValueCount + 1);
        }

        _offsets[ValueCount] = _values.Length;
        ValueCount++;
        _offsets[ValueCount] = -1;
    }

    private void AddString(string value, int rep)
    {
        AddPresent(rep);
        StartBytesValue();
        var span = _values.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        _values.Advance(Encoding.UTF8.GetBytes(value, span));
    }

    /// <summary>Start offset of byte-array value <paramref name="i"/>; valid for i ≤ ValueCount.</summary>
    private int Offset(int i) => i == ValueCount ? _values.Length : _offsets[i];

    private ReadOnlySpan<byte> ValueBytes(int i) => Codec.Width >= 0
        ? _values.WrittenSpan.Slice(i * Codec.Width, Codec.Width)
        : _values.WrittenSpan[Offset(i)..Offset(i + 1)];

    /// <summary>Appends one present value given as a .NET object (the row API).</summary>
    public void AddObject(object value, int rep)
    {
        switch (Codec.Kind)
        {
            case LeafKind.Boolean when value is bool b:
                NextFixed(rep)[0] = b ? (byte)1 : (byte)0;
                return;

            // Exact-type fast paths first: rows usually hold the column's own type, and the general cases convert.
            case LeafKind.Int64 when value is long l:
                BinaryPrimitives.WriteInt64LittleEndian(NextFixed(rep), l);
                return;
            case LeafKind.Int32 when value is int i:
                BinaryPrimitives.WriteInt32LittleEndian(NextFixed(rep), i);
                return;
            case LeafKind.Double when value is double dv:
                BinaryPrimitives.WriteDoubleLittleEndian(NextFixed(rep), dv);
                return;
            case LeafKind.Float when value is float fv:
                BinaryPrimitives.WriteSingleLittleEndian(NextFixed(rep), fv);
                return;
            case LeafKind.Int32 or LeafKind.UInt32:
                BinaryPrimitives.WriteInt32LittleEndian(NextFixed(rep), Codec.Kind == LeafKind.UInt32 ? (int)checked((uint)ToInt64(value)) : checked((int)ToInt64(value)));
                return;
            case LeafKind.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(NextFixed(rep), ToInt64(value));
                return;
            case LeafKind.UInt64:
                BinaryPrimitives.WriteUInt64LittleEndian(NextFixed(rep), value is ulong u ? u : checked((ulong)ToInt64(value)));
                return;
            case LeafKind.Float when value is float or double or int or long:
                BinaryPrimitives.WriteSingleLittleEndian(NextFixed(rep), Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture));
                return;
            case LeafKind.Double when value is double or float or int or long:
                BinaryPrimitives.WriteDoubleLittleEndian(NextFixed(rep), Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                return;
            case LeafKind.String when value is string s:
                AddString(s, rep);
                return;
            case LeafKind.Binary or LeafKind.String when value is byte[] bytes:
                AddBytes(bytes, rep);
                return;
            case LeafKind.Binary or LeafKind.String when value is ReadOnlyMemory<byte> memory:
                AddBytes(memory.Span, rep);
                return;
            case LeafKind.Fixed when value is byte[] fixedBytes:
                if (fixedBytes.Length != Codec.Width)
                {
                    throw new ArgumentException($"column '{Column}': expected {Codec.Width} bytes, got {fixedBytes.Length}");
                }

                fixedBytes.CopyTo(NextFixed(rep));
                return;
            case LeafKind.Decimal32 or LeafKind.Decimal64 or LeafKind.DecimalBytes when value is decimal d:
                AddDecimal(ParquetDecimal.FromDecimal(d), rep);
                return;
            case LeafKind.Decimal32 or LeafKind.Decimal64 or LeafKind.DecimalBytes when value is ParquetDecimal pd:
                AddDecimal(pd, rep);
                return;
            case LeafKind.Decimal32 or LeafKind.Decimal64 or LeafKind.DecimalBytes when value is int or long:
                AddDecimal(new ParquetDecimal(ToInt64(value), 0), rep);
                return;
            case LeafKind.Date when value is DateOnly date:
                BinaryPrimitives.WriteInt32LittleEndian(NextFixed(rep), LeafCodec.DateValue(date));
                return;
            case LeafKind.Date when value is DateTime dt:
                BinaryPrimitives.WriteInt32LittleEndian(NextFixed(rep), LeafCodec.DateValue(DateOnly.FromDateTime(dt)));
                return;
            case LeafKind.Timestamp when value is DateTime dt:
                BinaryPrimitives.WriteInt64LittleEndian(NextFixed(rep), Codec.TimestampValue(dt));
                return;
            case LeafKind.Timestamp when value is DateTimeOffset dto:
                BinaryPrimitives.WriteInt64LittleEndian(NextFixed(rep), Codec.TimestampValue(dto));
                return;
            case LeafKind.Time32 when value is TimeOnly t:
                BinaryPrimitives.WriteInt32LittleEndian(NextFixed(rep), (int)Codec.TimeValue(t));
                return;
            case LeafKind.Time64 when value is TimeOnly t:
                BinaryPrimitives.WriteInt64LittleEndian(NextFixed(rep), Codec.TimeValue(t));
                return;
            case LeafKind.Time64 when value is TimeSpan ts:
                BinaryPrimitives.WriteInt64LittleEndian(NextFixed(rep), Codec.TimeValue(TimeOnly.FromTimeSpan(ts)));
                return;
            case LeafKind.Uuid when value is Guid g:
                g.TryWriteBytes(NextFixed(rep), bigEndian: true, out _);
                return;
            case LeafKind.Uuid when value is string gs && Guid.TryParse(gs, out var parsed):
                parsed.TryWriteBytes(NextFixed(rep), bigEndian: true, out _);
                return;
            default:
                throw new ArgumentException($"column '{Column}' ({Codec.Kind}) cannot store a value of type {value.GetType().Name}");
        }
    }

    private long ToInt64(object value) => value switch
    {
        int i => i,
        long l => l,
        short s => s,
        sbyte sb => sb,
        byte b => b,
        ushort us => us,
        uint ui => ui,
        ulong ul => checked((long)ul),
        _ => throw new ArgumentException($"column '{Column}' ({Codec.Kind}) cannot store a value of type {value.GetType().Name}"),
    };

    private void AddDecimal(ParquetDecimal value, int rep)
    {
        var unscaled = Codec.Unscaled(value);
        switch (Codec.Kind)
        {
            case LeafKind.Decimal32:
                BinaryPrimitives.WriteInt32LittleEndian(NextFixed(rep), checked((int)unscaled));
                break;
            case LeafKind.Decimal64:
                BinaryPrimitives.WriteInt64LittleEndian(NextFixed(rep), checked((long)unscaled));
                break;
            default:
                if (Codec.Width < 0)
                {
                    AddPresent(rep);
                    StartBytesValue();
                    LeafCodec.WriteBigEndian(unscaled, _values.Append(MinimalBytes(unscaled)));
                }
                else
                {
                    LeafCodec.WriteBigEndian(unscaled, NextFixed(rep));
                }

                break;
        }
    }

    private static int MinimalBytes(Int128 value)
    {
        var n = 1;
        while (n < 16 && (value < -(Int128.One << ((8 * n) - 1)) || value >= (Int128.One << ((8 * n) - 1))))
        {
            n++;
        }

        return n;
    }

    // ------------------------------------------------------------------ columnar fast path

    /// <summary>Appends a batch of values for a flat column; <paramref name="isNull"/> is empty or one flag per value.</summary>
    public void AddSpan<T>(ReadOnlySpan<T> values, ReadOnlySpan<bool> isNull)
        where T : struct
    {
        if (!isNull.IsEmpty && isNull.Length != values.Length)
        {
            throw new ArgumentException($"column '{Column}': {values.Length} values but {isNull.Length} null flags");
        }

        if (!isNull.IsEmpty && !_hasDef)
        {
            foreach (var n in isNull)
            {
                if (n)
                {
                    throw new ArgumentException($"column '{Column}' is required but the batch has nulls");
                }
            }

            isNull = default;
        }

        // Same physical representation: copy the whole span when nothing is null.
        if (isNull.IsEmpty && BitConverter.IsLittleEndian && IsRawCopy<T>())
        {
            if (_hasDef)
            {
                EnsureLevels(values.Length);
                _def.AsSpan(LevelCount, values.Length).Fill((byte)MaxDef);
                LevelCount += values.Length;
            }

            _values.Write(MemoryMarshal.AsBytes(values));
            ValueCount += values.Length;
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!isNull.IsEmpty && isNull[i])
            {
                AddNull(0, 0);
                continue;
            }

            AddStruct(values[i]);
        }
    }

    private bool IsRawCopy<T>()
    {
        return Codec.Kind switch
        {
            LeafKind.Int32 or LeafKind.UInt32 => typeof(T) == typeof(int) || typeof(T) == typeof(uint),
            LeafKind.Int64 or LeafKind.UInt64 => typeof(T) == typeof(long) || typeof(T) == typeof(ulong),
            LeafKind.Float => typeof(T) == typeof(float),
            LeafKind.Double => typeof(T) == typeof(double),
            LeafKind.Boolean => typeof(T) == typeof(bool),
            _ => false,
        };
    }

    private void AddStruct<T>(T value)
        where T : struct
    {
        // typeof(T) checks are constants per instantiation, so the JIT keeps one branch and nothing boxes.
        if (typeof(T) == typeof(int) && Codec.Kind is LeafKind.Int32 or LeafKind.UInt32)
        {
            BinaryPrimitives.WriteInt32LittleEndian(NextFixed(0), Unsafe.As<T, int>(ref value));
        }
        else if (typeof(T) == typeof(int) && Codec.Kind == LeafKind.Int64)
        {
            BinaryPrimitives.WriteInt64LittleEndian(NextFixed(0), Unsafe.As<T, int>(ref value));
        }
        else if (typeof(T) == typeof(long) && Codec.Kind is LeafKind.Int64 or LeafKind.UInt64)
        {
            BinaryPrimitives.WriteInt64LittleEndian(NextFixed(0), Unsafe.As<T, long>(ref value));
        }
        else if (typeof(T) == typeof(float) && Codec.Kind == LeafKind.Float)
        {
            BinaryPrimitives.WriteSingleLittleEndian(NextFixed(0), Unsafe.As<T, float>(ref value));
        }
        else if (typeof(T) == typeof(double) && Codec.Kind == LeafKind.Double)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(NextFixed(0), Unsafe.As<T, double>(ref value));
        }
        else if (typeof(T) == typeof(bool) && Codec.Kind == LeafKind.Boolean)
        {
            NextFixed(0)[0] = Unsafe.As<T, bool>(ref value) ? (byte)1 : (byte)0;
        }
        else if (typeof(T) == typeof(DateOnly) && Codec.Kind == LeafKind.Date)
        {
            BinaryPrimitives.WriteInt32LittleEndian(NextFixed(0), LeafCodec.DateValue(Unsafe.As<T, DateOnly>(ref value)));
        }
        else if (typeof(T) == typeof(DateTime) && Codec.Kind == LeafKind.Timestamp)
        {
            BinaryPrimitives.WriteInt64LittleEndian(NextFixed(0), Codec.TimestampValue(Unsafe.As<T, DateTime>(ref value)));
        }
        else if (typeof(T) == typeof(DateTimeOffset) && Codec.Kind == LeafKind.Timestamp)
        {
            BinaryPrimitives.WriteInt64LittleEndian(NextFixed(0), Codec.TimestampValue(Unsafe.As<T, DateTimeOffset>(ref value)));
        }
        else if (typeof(T) == typeof(Guid) && Codec.Kind == LeafKind.Uuid)
        {
            (Unsafe.As<T, Guid>(ref value)).TryWriteBytes(NextFixed(0), bigEndian: true, out _);
        }
        else if (typeof(T) == typeof(decimal) && Codec.Kind is LeafKind.Decimal32 or LeafKind.Decimal64 or LeafKind.DecimalBytes)
        {
            AddDecimal(ParquetDecimal.FromDecimal(Unsafe.As<T, decimal>(ref value)), 0);
        }
        else if (typeof(T) == typeof(ParquetDecimal) && Codec.Kind is LeafKind.Decimal32 or LeafKind.Decimal64 or LeafKind.DecimalBytes)
        {
            AddDecimal(Unsafe.As<T, ParquetDecimal>(ref value), 0);
        }
        else if (typeof(T) == typeof(TimeOnly) && Codec.Kind is LeafKind.Time64 or LeafKind.Time32)
        {
            AddObject(value, 0);
        }
        else
        {
            throw new ArgumentException($"column '{Column}' ({Codec.Kind}) cannot store values of type {typeof(T).Name}");
        }
    }

    /// <summary>Appends strings (null entries are nulls) for a flat column.</summary>
    public void AddStrings(ReadOnlySpan<string?> values)
    {
        if (Codec.Kind != LeafKind.String)
        {
            throw new ArgumentException($"column '{Column}' ({Codec.Kind}) does not store strings");
        }

        foreach (var s in values)
        {
            if (s is null)
            {
                AddFlatNull();
            }
            else
            {
                AddString(s, 0);
            }
        }
    }

    /// <summary>Appends byte arrays (null entries are nulls) for a flat column.</summary>
    public void AddByteArrays(ReadOnlySpan<byte[]?> values)
    {
        foreach (var b in values)
        {
            if (b is null)
            {
                AddFlatNull();
            }
            else
            {
                AddObject(b, 0);
            }
        }
    }

    private void AddFlatNull()
    {
        if (!_hasDef)
        {
            throw new ArgumentException($"column '{Column}' is required but got a null");
        }

        AddNull(0, 0);
    }

    /// <summary>Drops the first <paramref name="entries"/> level entries (holding <paramref name="values"/> values) after a flush.</summary>
    private void RemovePrefix(int entries, int values)
    {
        if (entries == EntryCount)
        {
            _values.Clear();
            LevelCount = 0;
            ValueCount = 0;
            return;
        }

        var bytes = Codec.Width >= 0 ? values * Codec.Width : Offset(values);
        _values.RemovePrefix(bytes);
        if (Codec.Width < 0)
        {
            for (var i = values; i < ValueCount; i++)
            {
                _offsets[i - values] = _offsets[i] - bytes;
            }
        }

        ValueCount -= values;
        if (HasLevels)
        {
            if (_hasDef)
            {
                _def.AsSpan(entries, LevelCount - entries).CopyTo(_def);
            }

            if (_hasRep)
            {
                _rep.AsSpan(entries, LevelCount - entries).CopyTo(_rep);
            }

            LevelCount -= entries;
        }
    }

    public void Dispose()
    {
        _values.Dispose();
        if (_offsets.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_offsets);
        }

        if (_def.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_def);
        }

        if (_rep.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_rep);
        }

        _offsets = [];
        _def = [];
        _rep = [];
    }
}
