using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Meshwork.Formats.JsonSchema;

public sealed partial class JsonSchemaDocument
{
    /// <summary>How deep validation may recurse through nested instance values and references before giving up.</summary>
    private const int MaxValidationDepth = 1024;

    /// <summary>
    /// Validates <paramref name="instance"/> against this schema and returns every failure (empty when valid).
    /// With <paramref name="assertFormat"/> the formats listed in <see cref="JsonSchemaFormats.Asserted"/> are checked,
    /// as Confluent's validator (everit) does; others are annotations.
    /// </summary>
    public IReadOnlyList<JsonSchemaError> Validate(JsonElement instance, bool assertFormat = true)
    {
        var errors = new List<JsonSchemaError>();
        new Validator(assertFormat).Validate(RootNode, instance, "", errors, 0);
        return errors;
    }

    /// <summary>True when <paramref name="instance"/> is valid.</summary>
    public bool IsValid(JsonElement instance, bool assertFormat = true)
    {
        return new Validator(assertFormat).Validate(RootNode, instance, "", errors: null, 0);
    }

    /// <summary>
    /// Parses a UTF-8 JSON payload and validates it: what the broker runs for full value validation. Malformed JSON is
    /// reported as one error with keyword <c>json</c> naming the line and byte; nothing is thrown for bad input.
    /// </summary>
    public IReadOnlyList<JsonSchemaError> ValidatePayload(ReadOnlySpan<byte> utf8Json, bool assertFormat = true)
    {
        JsonDocument document;
        try
        {
            // AllowMultipleValues lets the reader step past the first value, so trailing data is reported as such.
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth, AllowMultipleValues = true });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                return [new JsonSchemaError("", "", "json", $"the payload is malformed JSON: unexpected data after the value at byte {reader.TokenStartIndex + 1}")];
            }
        }
        catch (JsonException e)
        {
            return [new JsonSchemaError("", "", "json", $"the payload is malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}")];
        }

        using (document)
        {
            return Validate(document.RootElement, assertFormat);
        }
    }

    /// <summary>
    /// One validation run. With a null error list it stops at the first failure (used inside anyOf, oneOf, not, if
    /// and contains, whose branches only need a verdict).
    /// </summary>
    private sealed class Validator(bool assertFormat)
    {
        public bool Validate(SchemaNode node, JsonElement instance, string at, List<JsonSchemaError>? errors, int depth)
        {
            if (depth > MaxValidationDepth)
            {
                return Fail(errors, at, node, "", "$ref", $"validation nested deeper than {MaxValidationDepth} levels");
            }

            if (node.BooleanValue is bool allowed)
            {
                return allowed || Fail(errors, at, node, "", "false", "the schema is false: no value is allowed here");
            }

            if (node.Ref is not null)
            {
                return Validate(node.Ref, instance, at, errors, depth + 1);
            }

            var valid = true;
            if (node.Types != JsonSchemaTypes.None && !TypeMatches(node.Types, instance))
            {
                valid = Fail(errors, at, node, "/type", "type", $"expected {DescribeTypes(node.Types)}, found {Describe(instance)}");
                if (errors is null)
                {
                    return false;
                }
            }

            if (node.Enum is JsonElement options && !options.EnumerateArray().Any(o => JsonValues.Equal(o, instance)))
            {
                valid = Fail(errors, at, node, "/enum", "enum", $"{Describe(instance)} is not one of {Truncate(options.GetRawText())}");
            }

            if (node.Const is JsonElement constant && !JsonValues.Equal(constant, instance))
            {
                valid = Fail(errors, at, node, "/const", "const", $"expected {Truncate(constant.GetRawText())}, found {Describe(instance)}");
            }

            if (!valid && errors is null)
            {
                return false;
            }

            switch (instance.ValueKind)
            {
                case JsonValueKind.Number:
                    valid &= ValidateNumber(node, instance, at, errors);
                    break;
                case JsonValueKind.String:
                    valid &= ValidateString(node, instance, at, errors);
                    break;
                case JsonValueKind.Array:
                    valid &= ValidateArray(node, instance, at, errors, depth);
                    break;
                case JsonValueKind.Object:
                    valid &= ValidateObject(node, instance, at, errors, depth);
                    break;
            }

            if (!valid && errors is null)
            {
                return false;
            }

            return ValidateCombinators(node, instance, at, errors, depth) && valid;
        }

        private bool ValidateCombinators(SchemaNode node, JsonElement instance, string at, List<JsonSchemaError>? errors, int depth)
        {
            var valid = true;
            if (node.AllOf is { } allOf)
            {
                for (var i = 0; i < allOf.Count; i++)
                {
                    if (!Validate(allOf[i], instance, at, errors, depth + 1))
                    {
                        valid = false;
                        if (errors is null)
                        {
                            return false;
                        }
                    }
                }
            }

            if (node.AnyOf is { } anyOf && !anyOf.Any(s => Validate(s, instance, at, null, depth + 1)))
            {
                valid = Fail(errors, at, node, "/anyOf", "anyOf", "the value matches none of the anyOf schemas");
            }

            if (node.OneOf is { } oneOf)
            {
                var matches = oneOf.Count(s => Validate(s, instance, at, null, depth + 1));
                if (matches != 1)
                {
                    valid = Fail(errors, at, node, "/oneOf", "oneOf", matches == 0
                        ? "the value matches none of the oneOf schemas"
                        : $"the value matches {matches} of the oneOf schemas; exactly one must match");
                }
            }

            if (node.Not is { } not && Validate(not, instance, at, null, depth + 1))
            {
                valid = Fail(errors, at, node, "/not", "not", "the value matches the schema under \"not\"");
            }

            if (node.If is { } condition)
            {
                var branch = Validate(condition, instance, at, null, depth + 1) ? node.Then : node.Else;
                if (branch is not null && !Validate(branch, instance, at, errors, depth + 1))
                {
                    valid = false;
                }
            }

            if (assertFormat && node.Format is { } format && !JsonSchemaFormats.IsValid(format, instance))
            {
                valid = Fail(errors, at, node, "/format", "format", $"{Describe(instance)} is not a valid \"{format}\"");
            }

            return valid;
        }

        private static bool ValidateNumber(SchemaNode node, JsonElement instance, string at, List<JsonSchemaError>? errors)
        {
            var valid = true;
            if (node.MultipleOf is JsonElement divisor && !JsonValues.IsMultipleOf(instance, divisor))
            {
                valid = Fail(errors, at, node, "/multipleOf", "multipleOf", $"{instance.GetRawText()} is not a multiple of {divisor.GetRawText()}");
            }

            if (node.Maximum is JsonElement maximum && JsonValues.Compare(instance, maximum) > 0)
            {
                valid = Fail(errors, at, node, "/maximum", "maximum", $"{instance.GetRawText()} is greater than the maximum {maximum.GetRawText()}");
            }

            if (node.ExclusiveMaximum is JsonElement exclusiveMaximum && JsonValues.Compare(instance, exclusiveMaximum) >= 0)
            {
                valid = Fail(errors, at, node, "/exclusiveMaximum", "exclusiveMaximum", $"{instance.GetRawText()} is not less than {exclusiveMaximum.GetRawText()}");
            }

            if (node.Minimum is JsonElement minimum && JsonValues.Compare(instance, minimum) < 0)
            {
                valid = Fail(errors, at, node, "/minimum", "minimum", $"{instance.GetRawText()} is less than the minimum {minimum.GetRawText()}");
            }

            if (node.ExclusiveMinimum is JsonElement exclusiveMinimum && JsonValues.Compare(instance, exclusiveMinimum) <= 0)
            {
                valid = Fail(errors, at, node, "/exclusiveMinimum", "exclusiveMinimum", $"{instance.GetRawText()} is not greater than {exclusiveMinimum.GetRawText()}");
            }

            return valid;
        }

        private static bool ValidateString(SchemaNode node, JsonElement instance, string at, List<JsonSchemaError>? errors)
        {
            if (node.MaxLength is null && node.MinLength is null && node.Pattern is null)
            {
                return true;
            }

            var valid = true;
            var text = instance.GetString()!;
            var length = JsonValues.CodePointLength(text);
            if (length > node.MaxLength)
            {
                valid = Fail(errors, at, node, "/maxLength", "maxLength", $"the string has {length} characters; at most {node.MaxLength} are allowed");
            }

            if (length < node.MinLength)
            {
                valid = Fail(errors, at, node, "/minLength", "minLength", $"the string has {length} characters; at least {node.MinLength} are required");
            }

            if (node.Pattern is { } pattern && !Matches(pattern, text))
            {
                valid = Fail(errors, at, node, "/pattern", "pattern", $"\"{Truncate(text)}\" does not match the pattern \"{pattern}\"");
            }

            return valid;
        }

        private bool ValidateArray(SchemaNode node, JsonElement instance, string at, List<JsonSchemaError>? errors, int depth)
        {
            var valid = true;
            var count = instance.GetArrayLength();
            if (count > node.MaxItems)
            {
                valid = Fail(errors, at, node, "/maxItems", "maxItems", $"the array has {count} items; at most {node.MaxItems} are allowed");
            }

            if (count < node.MinItems)
            {
                valid = Fail(errors, at, node, "/minItems", "minItems", $"the array has {count} items; at least {node.MinItems} are required");
            }

            if (node.UniqueItems && FindDuplicate(instance) is (int first, int second))
            {
                valid = Fail(errors, at, node, "/uniqueItems", "uniqueItems", $"items {first} and {second} are equal; the items must be unique");
            }

            if (!valid && errors is null)
            {
                return false;
            }

            var index = 0;
            foreach (var item in instance.EnumerateArray())
            {
                SchemaNode? itemSchema = node.Items;
                if (node.ItemsArray is { } tuple)
                {
                    itemSchema = index < tuple.Count ? tuple[index] : node.AdditionalItems;
                }

                if (itemSchema is not null && !Validate(itemSchema, item, at + "/" + index.ToString(CultureInfo.InvariantCulture), errors, depth + 1))
                {
                    valid = false;
                    if (errors is null)
                    {
                        return false;
                    }
                }

                index++;
            }

            if (node.Contains is { } contains && !instance.EnumerateArray().Any(item => Validate(contains, item, at, null, depth + 1)))
            {
                valid = Fail(errors, at, node, "/contains", "contains", "no item matches the \"contains\" schema");
            }

            return valid;
        }

        private bool ValidateObject(SchemaNode node, JsonElement instance, string at, List<JsonSchemaError>? errors, int depth)
        {
            var valid = true;
            var count = 0;
            foreach (var unused in instance.EnumerateObject())
            {
                count++;
            }

            if (count > node.MaxProperties)
            {
                valid = Fail(errors, at, node, "/maxProperties", "maxProperties", $"the object has {count} properties; at most {node.MaxProperties} are allowed");
            }

            if (count < node.MinProperties)
            {
                valid = Fail(errors, at, node, "/minProperties", "minProperties", $"the object has {count} properties; at least {node.MinProperties} are required");
            }

            foreach (var name in node.Required ?? [])
            {
                if (!instance.TryGetProperty(name, out _))
                {
                    valid = Fail(errors, at, node, "/required", "required", $"the required property \"{name}\" is missing");
                }
            }

            foreach (var (name, needed) in node.DependencyArrays ?? [])
            {
                if (instance.TryGetProperty(name, out _))
                {
                    foreach (var other in needed.Where(n => !instance.TryGetProperty(n, out _)))
                    {
                        valid = Fail(errors, at, node, "/dependencies/" + EscapePointer(name), "dependencies", $"\"{other}\" is required when \"{name}\" is present");
                    }
                }
            }

            if (!valid && errors is null)
            {
                return false;
            }

            foreach (var (name, schema) in node.DependencySchemas ?? [])
            {
                if (instance.TryGetProperty(name, out _) && !Validate(schema, instance, at, errors, depth + 1))
                {
                    valid = false;
                    if (errors is null)
                    {
                        return false;
                    }
                }
            }

            foreach (var property in instance.EnumerateObject())
            {
                var propertyAt = at + "/" + EscapePointer(property.Name);
                var matched = false;
                if (node.Property(property.Name) is { } declared)
                {
                    matched = true;
                    valid &= Validate(declared, property.Value, propertyAt, errors, depth + 1);
                }

                foreach (var (pattern, schema) in node.PatternProperties ?? [])
                {
                    if (Matches(pattern, property.Name))
                    {
                        matched = true;
                        valid &= Validate(schema, property.Value, propertyAt, errors, depth + 1);
                    }
                }

                if (!matched && node.AdditionalProperties is { } additional && !Validate(additional, property.Value, propertyAt, errors, depth + 1))
                {
                    valid = false;
                    if (additional.BooleanValue == false && errors is not null)
                    {
                        // The "false schema" error alone does not say why; name the rule that rejected the property.
                        errors[^1] = new JsonSchemaError(propertyAt, node.Pointer + "/additionalProperties", "additionalProperties",
                            $"the property \"{property.Name}\" is not allowed: additionalProperties is false");
                    }
                }

                if (node.PropertyNames is { } names)
                {
                    using var nameDocument = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(property.Name));
                    if (!Validate(names, nameDocument.RootElement, propertyAt, null, depth + 1))
                    {
                        valid = Fail(errors, propertyAt, node, "/propertyNames", "propertyNames", $"the property name \"{property.Name}\" does not match the propertyNames schema");
                    }
                }

                if (!valid && errors is null)
                {
                    return false;
                }
            }

            return valid;
        }

        private static (int, int)? FindDuplicate(JsonElement array)
        {
            var seen = new Dictionary<int, List<(int Index, JsonElement Item)>>();
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var hash = JsonValues.Hash(item);
                if (!seen.TryGetValue(hash, out var bucket))
                {
                    seen[hash] = bucket = [];
                }

                foreach (var (earlier, value) in bucket)
                {
                    if (JsonValues.Equal(value, item))
                    {
                        return (earlier, index);
                    }
                }

                bucket.Add((index, item));
                index++;
            }

            return null;
        }

        private static bool Matches(Regex pattern, string text)
        {
            try
            {
                return pattern.IsMatch(text);
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological pattern must not stall the broker; treat a timeout as a mismatch.
                return false;
            }
        }

        private static bool TypeMatches(JsonSchemaTypes types, JsonElement instance) => instance.ValueKind switch
        {
            JsonValueKind.Null => (types & JsonSchemaTypes.Null) != 0,
            JsonValueKind.True or JsonValueKind.False => (types & JsonSchemaTypes.Boolean) != 0,
            JsonValueKind.Object => (types & JsonSchemaTypes.Object) != 0,
            JsonValueKind.Array => (types & JsonSchemaTypes.Array) != 0,
            JsonValueKind.String => (types & JsonSchemaTypes.String) != 0,
            JsonValueKind.Number => (types & JsonSchemaTypes.Number) != 0
                || ((types & JsonSchemaTypes.Integer) != 0 && JsonValues.IsInteger(instance)),
            _ => false,
        };

        private static string DescribeTypes(JsonSchemaTypes types) =>
            string.Join(" or ", Enum.GetValues<JsonSchemaTypes>().Where(t => t != JsonSchemaTypes.None && (types & t) != 0)
                .Select(t => t.ToString().ToLowerInvariant()));

        private static bool Fail(List<JsonSchemaError>? errors, string at, SchemaNode node, string keywordPointer, string keyword, string message)
        {
            errors?.Add(new JsonSchemaError(at, node.Pointer + keywordPointer, keyword, message));
            return false;
        }
    }
}
