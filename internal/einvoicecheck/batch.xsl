<?xml version="1.0" encoding="UTF-8"?>
<!-- Runs the compiled EN 16931 Schematron XSLT $xslt (as ../shared/einvoice/svrl-driver.xsl
     does for one document) against every document of $srcs in a single JVM, the stylesheet
     compiled once (fn:transform caches it). Prints, per document, one line per failed assert /
     successful report:  SRC <TAB> FLAG <TAB> RULE-ID <TAB> TEXT <TAB> LOCATION
     then SRC <TAB> done, so a document the run skipped is noticed. -->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <xsl:param name="srcs" required="yes"/>  <!-- space separated file URIs -->
  <xsl:param name="xslt" required="yes"/>  <!-- file URI of the compiled Schematron -->
  <xsl:output method="text"/>

  <xsl:template name="xsl:initial-template">
    <xsl:for-each select="tokenize(normalize-space($srcs), ' ')">
      <xsl:variable name="src" select="string(.)"/>
      <xsl:variable name="svrl"
          select="transform(map{'stylesheet-location': $xslt, 'source-node': doc($src), 'cache': true()})?output"/>
      <xsl:for-each select="$svrl//(svrl:failed-assert | svrl:successful-report)">
        <xsl:value-of select="string-join((
            $src,
            if (@flag) then string(@flag) else 'fatal',
            if (@id) then string(@id) else '-',
            normalize-space(svrl:text),
            replace(string(@location), &quot;\[namespace-uri\(\)='[^']*'\]&quot;, '')), '&#9;')"/>
        <xsl:text>&#10;</xsl:text>
      </xsl:for-each>
      <xsl:value-of select="concat($src, '&#9;done&#10;')"/>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
